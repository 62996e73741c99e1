namespace ServerlessRyw.Propagation;

/// <summary>
/// Writes the read-your-writes token into, and reads it from, any carrier of named text fields (HTTP headers,
/// message properties, a dictionary), in the style of OpenTelemetry's <c>TextMapPropagator</c>.
/// </summary>
/// <remarks>
/// Thread-safe and stateless apart from its options. Extraction never throws: a missing, malformed or oversized
/// value, or a getter that throws, counts as nothing usable found. Several values (a repeated header, comma-separated
/// values, a header plus a baggage entry) are merged by taking the maximum.
/// </remarks>
public sealed class RywPropagator
{
    private static readonly string[] TokenOnly = [RywHeaderNames.Token];
    private static readonly string[] TokenAndBaggage = [RywHeaderNames.Token, RywHeaderNames.Baggage];

    private readonly bool _baggage;

    /// <summary>Creates a propagator.</summary>
    /// <param name="options">What to read and write besides the token header; <see langword="null"/> uses the defaults.</param>
    public RywPropagator(RywPropagatorOptions? options = null) => _baggage = options?.Baggage ?? false;

    /// <summary>A propagator with the default options: the <see cref="RywHeaderNames.Token"/> field only.</summary>
    public static RywPropagator Default { get; } = new();

    /// <summary>Whether this propagator reads and writes the W3C baggage entry too.</summary>
    public bool UsesBaggage => _baggage;

    /// <summary>The fields this propagator reads (and, for <see cref="RywHeaderNames.Baggage"/>, edits).</summary>
    public IReadOnlyCollection<string> Fields => _baggage ? TokenAndBaggage : TokenOnly;

    /// <summary>Writes <paramref name="token"/> into the <see cref="RywHeaderNames.Token"/> field; does nothing for an empty token.</summary>
    /// <typeparam name="T">The carrier's type.</typeparam>
    /// <param name="token">The token; carriers pass <see cref="RywSession.GetTokenAsync(CancellationToken)"/>'s result.</param>
    /// <param name="carrier">Where the field goes.</param>
    /// <param name="setter">Sets a field, replacing any value it had: <c>(carrier, name, value)</c>.</param>
    /// <remarks>Baggage is written by <see cref="InjectBaggage{T}"/>, which needs to read the existing entries first.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Performance", "CA1822", Justification = "An instance member like every propagator's, so options can change what it writes.")]
    public void Inject<T>(RywToken token, T carrier, Action<T, string, string> setter)
    {
        ArgumentNullException.ThrowIfNull(setter);
        if (!token.IsEmpty)
        {
            setter(carrier, RywHeaderNames.Token, token.ToString());
        }
    }

    /// <summary>
    /// When <see cref="RywPropagatorOptions.Baggage"/> is on, sets the <see cref="RywHeaderNames.BaggageKey"/> entry of the
    /// carrier's <see cref="RywHeaderNames.Baggage"/> field, keeping every other entry; otherwise does nothing.
    /// </summary>
    /// <typeparam name="T">The carrier's type.</typeparam>
    /// <param name="token">The token; nothing is written for an empty one.</param>
    /// <param name="carrier">Where the field goes.</param>
    /// <param name="getter">Reads a field's values: <c>(carrier, name)</c>, <see langword="null"/> when absent. A getter that throws counts as no baggage.</param>
    /// <param name="setter">Sets a field, replacing any value it had.</param>
    /// <returns>
    /// Whether the entry was written. <see langword="false"/> when baggage is off, the token is empty, or adding the entry
    /// would exceed the W3C limits (64 entries, 8192 bytes); the <see cref="RywHeaderNames.Token"/> field still carries it.
    /// </returns>
    public bool InjectBaggage<T>(RywToken token, T carrier, Func<T, string, IEnumerable<string>?> getter, Action<T, string, string> setter)
    {
        ArgumentNullException.ThrowIfNull(getter);
        ArgumentNullException.ThrowIfNull(setter);
        if (!_baggage || token.IsEmpty)
        {
            return false;
        }

        var existing = SafeGet(carrier, getter, RywHeaderNames.Baggage);
        if (RywBaggage.WithToken(existing, token) is not { } value)
        {
            return false;
        }

        setter(carrier, RywHeaderNames.Baggage, value);
        return true;
    }

    /// <summary>Reads every token value in the carrier and merges the valid ones. Never throws.</summary>
    /// <typeparam name="T">The carrier's type.</typeparam>
    /// <param name="carrier">Where the fields are.</param>
    /// <param name="getter">Reads a field's values: <c>(carrier, name)</c>, <see langword="null"/> when absent.</param>
    /// <returns>The merged token, the worst status seen and how many values there were.</returns>
    /// <remarks>
    /// Use <see cref="ExtractInto{T}"/> when a session is at hand: it also counts and logs bad values and makes the
    /// session read carefully after one (a caller whose token cannot be read did write something).
    /// </remarks>
    public RywExtraction Extract<T>(T carrier, Func<T, string, IEnumerable<string>?> getter)
    {
        ArgumentNullException.ThrowIfNull(getter);
        var token = RywToken.None;
        var status = RywTokenStatus.Empty;
        var values = CollectValues(carrier, getter);
        if (values is null)
        {
            return new RywExtraction(token, status, 0);
        }

        foreach (var value in values)
        {
            _ = RywToken.TryParse(value.AsSpan(), out var parsed, out var valueStatus);
            token = token.Merge(parsed);
            status = RywExtraction.Worse(status, valueStatus);
        }

        return new RywExtraction(token, status, values.Count);
    }

    /// <summary>
    /// Imports every token value in the carrier into <paramref name="session"/>: valid ones are merged, bad ones are
    /// counted and logged by the session's client and make its reads wait for the primary's current position.
    /// Never throws.
    /// </summary>
    /// <typeparam name="T">The carrier's type.</typeparam>
    /// <param name="session">The invocation's session.</param>
    /// <param name="carrier">Where the fields are.</param>
    /// <param name="getter">Reads a field's values: <c>(carrier, name)</c>, <see langword="null"/> when absent.</param>
    /// <returns>The worst status seen (see <see cref="RywExtraction.Status"/>).</returns>
    public RywTokenStatus ExtractInto<T>(RywSession session, T carrier, Func<T, string, IEnumerable<string>?> getter)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(getter);
        var status = RywTokenStatus.Empty;
        if (CollectValues(carrier, getter) is not { } values)
        {
            return status;
        }

        foreach (var value in values)
        {
            status = RywExtraction.Worse(status, session.Import(value));
        }

        return status;
    }

    /// <summary>The token values the carrier holds; <see langword="null"/> (nothing allocated) when it holds none.</summary>
    private List<string>? CollectValues<T>(T carrier, Func<T, string, IEnumerable<string>?> getter)
    {
        List<string>? values = null;
        if (SafeGet(carrier, getter, RywHeaderNames.Token) is { } headers)
        {
            foreach (var header in headers)
            {
                SplitList(header, ref values);
            }
        }

        if (_baggage && SafeGet(carrier, getter, RywHeaderNames.Baggage) is { } baggage)
        {
            foreach (var header in baggage)
            {
                values ??= new List<string>(1);
                RywBaggage.CollectTokenValues(header, values);
            }
        }

        return values;
    }

    /// <summary>Adds the non-empty comma-separated parts of <paramref name="header"/> (tokens never contain commas).</summary>
    private static void SplitList(string? header, ref List<string>? values)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return;
        }

        values ??= new List<string>(1);
        if (!header.Contains(',', StringComparison.Ordinal))
        {
            values.Add(header);
            return;
        }

        foreach (var range in header.AsSpan().Split(','))
        {
            var part = header.AsSpan()[range].Trim();
            if (!part.IsEmpty)
            {
                values.Add(part.ToString());
            }
        }
    }

    /// <summary>A field's values, read completely; a getter (or its sequence) that throws yields what came before.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Design", "CA1031", Justification = "Extraction never throws: a broken carrier counts as carrying nothing.")]
    private static List<string>? SafeGet<T>(T carrier, Func<T, string, IEnumerable<string>?> getter, string name)
    {
        List<string>? result = null;
        try
        {
            if (getter(carrier, name) is { } values)
            {
                foreach (var value in values)
                {
                    if (value is not null)
                    {
                        (result ??= new List<string>(1)).Add(value);
                    }
                }
            }
        }
        catch (Exception)
        {
            // Keep what was read before the failure.
        }

        return result;
    }
}
