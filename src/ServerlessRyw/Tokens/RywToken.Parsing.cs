using System.Globalization;

namespace ServerlessRyw;

public readonly partial struct RywToken
{
    private const int MaxDigits = 19;

    // Later write times cannot be represented as a DateTimeOffset.
    private static readonly long MaxWriteTimeUnixMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    [ThreadStatic]
    private static List<ReplicationPosition>? t_positions;

    /// <summary>Reads a token's text form. Never throws: bad input yields <see langword="false"/>.</summary>
    /// <param name="text">The text form, possibly <see langword="null"/> or empty (meaning no token).</param>
    /// <param name="token">The token, or <see langword="default"/> when the text is not a valid token.</param>
    /// <returns><see langword="true"/> for a valid or an empty token.</returns>
    public static bool TryParse(string? text, out RywToken token) =>
        TryParse(text.AsSpan(), out token, out var status) || status == RywTokenStatus.Empty;

    /// <summary>Reads a token's text form and says what was wrong with it. Never throws.</summary>
    /// <param name="text">The text form; surrounding white space is ignored.</param>
    /// <param name="token">The token, or <see langword="default"/> unless <paramref name="status"/> is valid.</param>
    /// <param name="status">What was found.</param>
    /// <returns><see langword="true"/> only for <see cref="RywTokenStatus.Valid"/>.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out RywToken token, out RywTokenStatus status)
    {
        token = default;
        text = text.Trim();
        if (text.IsEmpty)
        {
            status = RywTokenStatus.Empty;
            return false;
        }

        if (text.Length > MaxLength)
        {
            status = RywTokenStatus.TooLong;
            return false;
        }

        var content = WithoutSignature(text);
        status = ParseVersion1(content, out token);
        if (status == RywTokenStatus.Valid && content.Length < text.Length)
        {
            token = token.WithSignature(text[(content.Length + RywTokenSigner.SignaturePrefix.Length)..].ToString());
        }

        return status == RywTokenStatus.Valid;
    }

    /// <summary>
    /// The text without a trailing signature segment: the token reads the same signed or not; checking the
    /// signature is <see cref="RywTokenSigner"/>'s job.
    /// </summary>
    internal static ReadOnlySpan<char> WithoutSignature(ReadOnlySpan<char> text)
    {
        var at = text.LastIndexOf(RywTokenSigner.SignaturePrefix);
        if (at < 0)
        {
            return text;
        }

        var signature = text[(at + RywTokenSigner.SignaturePrefix.Length)..];
        if (signature.Length != RywTokenSigner.SignatureLength)
        {
            return text;
        }

        foreach (var c in signature)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return text;
            }
        }

        return text[..at];
    }

    /// <summary>Reads a token's text form, throwing on bad input. Carriers use the <c>TryParse</c> overloads.</summary>
    /// <param name="text">The text form.</param>
    /// <returns>The token; empty for null, empty or white-space text.</returns>
    /// <exception cref="FormatException">The text is not a token.</exception>
    public static RywToken Parse(string? text)
    {
        if (TryParse(text.AsSpan(), out var token, out var status) || status == RywTokenStatus.Empty)
        {
            return token;
        }

        throw new FormatException($"Not a read-your-writes token ({status}).");
    }

    private static RywTokenStatus ParseVersion1(ReadOnlySpan<char> text, out RywToken token)
    {
        token = default;
        var firstSeparator = text.IndexOf(SegmentSeparator);
        var version = firstSeparator < 0 ? text : text[..firstSeparator];
        if (version.Length != 1 || version[0] != Version1)
        {
            return version.Length > 0 && IsAllDigits(version)
                ? RywTokenStatus.UnsupportedVersion
                : RywTokenStatus.Malformed;
        }

        if (firstSeparator < 0)
        {
            return RywTokenStatus.Malformed;
        }

        long lastWrite = 0;
        var overflowed = false;
        // One scratch list per thread (parsing calls out to nothing, so it is never re-entered): only the token's own
        // array is allocated.
        var positions = t_positions ??= new List<ReplicationPosition>(MaxPositions);
        positions.Clear();
        foreach (var range in text[(firstSeparator + 1)..].Split(SegmentSeparator))
        {
            var segment = text[(firstSeparator + 1)..][range];
            if (segment.Length == 1 && segment[0] == OverflowMark && !overflowed)
            {
                overflowed = true;
                continue;
            }

            var status = segment.Length > 0 && segment[0] == WriteTimePrefix
                ? ParseWriteTime(segment[1..], ref lastWrite)
                : ParsePosition(segment, positions);
            if (status != RywTokenStatus.Valid)
            {
                return status;
            }
        }

        if (positions.Count == 0 && lastWrite == 0)
        {
            return RywTokenStatus.Malformed;
        }

        // The mark with a write time only says "a write nobody could name": the reader requires the primary's position.
        positions.Sort(static (a, b) => string.CompareOrdinal(a.ReplicationId, b.ReplicationId));
        token = new RywToken(positions.Count == 0 ? null : positions.ToArray(), lastWrite, overflowed: overflowed);
        positions.Clear();
        return RywTokenStatus.Valid;
    }

    private static RywTokenStatus ParseWriteTime(ReadOnlySpan<char> digits, ref long lastWrite)
    {
        if (lastWrite != 0 || !TryParseNonNegative(digits, out var unixMs) || unixMs == 0 || unixMs > MaxWriteTimeUnixMs)
        {
            return RywTokenStatus.Malformed;
        }

        lastWrite = unixMs;
        return RywTokenStatus.Valid;
    }

    private static RywTokenStatus ParsePosition(ReadOnlySpan<char> segment, List<ReplicationPosition> positions)
    {
        var colon = segment.IndexOf(OffsetSeparator);
        if (colon <= 0
            || !IsValidReplicationId(segment[..colon])
            || !TryParseNonNegative(segment[(colon + 1)..], out var offset))
        {
            return RywTokenStatus.Malformed;
        }

        var id = segment[..colon];
        for (var i = 0; i < positions.Count; i++)
        {
            // A repeated history is not an attack worth rejecting: keep the larger offset, as Merge would.
            if (id.SequenceEqual(positions[i].ReplicationId))
            {
                positions[i] = positions[i] with { Offset = Math.Max(positions[i].Offset, offset) };
                return RywTokenStatus.Valid;
            }
        }

        if (positions.Count == MaxPositions)
        {
            return RywTokenStatus.TooManyPositions;
        }

        positions.Add(new ReplicationPosition(ReplicationIdCache.Get(id), offset));
        return RywTokenStatus.Valid;
    }

    private static bool TryParseNonNegative(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        return digits.Length is > 0 and <= MaxDigits
            && IsAllDigits(digits)
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
