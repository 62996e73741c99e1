namespace ServerlessRyw.Reliability.Tests.Tokens;

/// <summary>
/// What a read must do for a set of incoming token values, from the documented rules (docs/routing-and-tokens.md, "Incoming tokens are
/// untrusted"): several values merge by maximum; an unreadable value means the caller wrote something we cannot name,
/// so the read must see everything the primary had; a foreign history or an offset beyond the primary is corrected to
/// the primary's position; an honest offset is honoured. Counters: one rejection per unreadable value, one per far-future
/// write time, one per foreign or beyond-primary position.
/// </summary>
public sealed class TokenOracle
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(5);

    private TokenOracle()
    {
    }

    /// <summary>Whether the read must return the value written at <see cref="TokenScene.Offset"/>.</summary>
    public bool MustBeFresh { get; private init; }

    /// <summary>Rejections expected at import, by reason (unreadable values and far-future write times).</summary>
    public IReadOnlyDictionary<RywTokenRejection, int> ImportRejections { get; private init; } = new Dictionary<RywTokenRejection, int>();

    /// <summary>Positions in another history: each is counted when the read checks the token against the primary.</summary>
    public int ForeignPositions { get; private init; }

    /// <summary>Positions in the primary's history beyond the primary's offset.</summary>
    public int BeyondPositions { get; private init; }

    /// <summary>Whether any value could not be read.</summary>
    public int UnreadableValues { get; private init; }

    /// <summary>The values as a carrier hands them over: comma-separated parts of each value, trimmed, empty parts dropped.</summary>
    public static IEnumerable<string> Parts(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',')).Select(p => p.Trim()).Where(p => p.Length > 0);

    /// <param name="parts">The token texts the session imports, one by one.</param>
    /// <param name="scene">The primary's history and the offset of the write being read.</param>
    /// <param name="primaryOffset">The primary's offset when the read checks the token (at least <see cref="TokenScene.Offset"/>).</param>
    public static TokenOracle For(IEnumerable<string> parts, TokenScene scene, long primaryOffset)
    {
        var rejections = new Dictionary<RywTokenRejection, int>();
        var merged = RywToken.None;
        var unreadable = 0;
        foreach (var part in parts)
        {
            _ = RywToken.TryParse(part.AsSpan(), out var token, out var status);
            switch (status)
            {
                case RywTokenStatus.Valid:
                    merged = merged.Merge(token);
                    if (WrittenInTheFuture(part, scene.Now))
                    {
                        Add(rejections, RywTokenRejection.BeyondPrimary);
                    }

                    break;
                case RywTokenStatus.Empty:
                    break;
                default:
                    unreadable++;
                    Add(rejections, ToRejection(status));
                    break;
            }
        }

        var foreign = 0;
        var beyond = 0;
        var fresh = unreadable > 0;
        foreach (var position in merged.Positions)
        {
            if (!string.Equals(position.ReplicationId, scene.ReplicationId, StringComparison.Ordinal))
            {
                foreign++;
                fresh = true;
            }
            else
            {
                beyond += position.Offset > primaryOffset ? 1 : 0;
                fresh |= position.Offset >= scene.Offset;
            }
        }

        return new TokenOracle
        {
            MustBeFresh = fresh,
            ImportRejections = rejections,
            ForeignPositions = foreign,
            BeyondPositions = beyond,
            UnreadableValues = unreadable,
        };
    }

    public int Expected(RywTokenRejection reason) => ImportRejections.GetValueOrDefault(reason)
        + (reason == RywTokenRejection.ForeignHistory ? ForeignPositions : 0)
        + (reason == RywTokenRejection.BeyondPrimary ? BeyondPositions : 0);

    /// <summary>
    /// The write time read from the text itself (not through the token, whose <see cref="RywToken.LastWriteAt"/> is
    /// what is being tested): a <c>w</c> segment of unix milliseconds later than now plus the allowed clock skew.
    /// </summary>
    private static bool WrittenInTheFuture(string text, DateTimeOffset now)
    {
        foreach (var segment in text.Trim().Split('.'))
        {
            if (segment.Length > 1 && segment[0] == 'w' && long.TryParse(segment.AsSpan(1), out var unixMs))
            {
                return unixMs > (now + MaxClockSkew).ToUnixTimeMilliseconds();
            }
        }

        return false;
    }

    private static void Add(Dictionary<RywTokenRejection, int> counts, RywTokenRejection reason) =>
        counts[reason] = counts.GetValueOrDefault(reason) + 1;

    private static RywTokenRejection ToRejection(RywTokenStatus status) => status switch
    {
        RywTokenStatus.TooLong => RywTokenRejection.TooLong,
        RywTokenStatus.UnsupportedVersion => RywTokenRejection.UnsupportedVersion,
        RywTokenStatus.TooManyPositions => RywTokenRejection.TooManyPositions,
        RywTokenStatus.BadSignature => RywTokenRejection.BadSignature,
        _ => RywTokenRejection.Malformed,
    };
}
