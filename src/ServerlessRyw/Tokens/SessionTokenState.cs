using ServerlessRyw.Routing;

namespace ServerlessRyw;

/// <summary>
/// A session's token state under one lock: the token, whether positions that arrived from outside are still
/// unchecked, the writes and unreadable tokens waiting for a capture, and (with Redis Cluster) the last check of the
/// token against the cluster's primaries. Every change goes through an operation named for what happened.
/// </summary>
/// <remarks>
/// A mutable struct kept in a field of its session and only used through it (never copied), like
/// <see cref="PendingGeneration"/>: the fast-path benchmark creates a session per read, so the state costs no
/// allocation of its own beyond the lock the session always had.
/// </remarks>
internal partial struct SessionTokenState
{
    private readonly Lock _gate = new();
    private RywToken _token;

    // Positions that arrived from outside and have not been checked against the primary yet.
    private bool _untrusted;

    // Writes (WriteAsync, or through Primary and announced with MarkWritten) whose position is not captured yet.
    private PendingGeneration _writes;

    // An unreadable token arrived (or a cluster write landed elsewhere): the caller wrote something we cannot
    // name, so require the primary's current position.
    private PendingGeneration _unknownWrites;

    // The token as last checked against the cluster's primaries, and (only when it overflowed) those primaries'
    // positions, which then stand in for the shards it has no position for. Reused while the token is unchanged.
    private ClusterTokenCheck? _clusterChecked;

    public SessionTokenState()
    {
    }

    /// <summary>The token as far as it is known, without waiting for pending captures.</summary>
    public readonly RywToken Current
    {
        get
        {
            lock (_gate)
            {
                return _token;
            }
        }
    }

    /// <summary>Whether a write is not captured in the token yet.</summary>
    public bool HasPendingWrite => _writes.IsPending;

    /// <summary>Whether a write or an unreadable token waits for the primary's current position.</summary>
    public bool IsPending => _writes.IsPending || _unknownWrites.IsPending;

    /// <summary>Merges a position this session captured itself (trusted).</summary>
    public void MergeOwn(in RywToken token)
    {
        lock (_gate)
        {
            _token = _token.Merge(token);
        }
    }

    /// <summary>Merges a token that arrived from outside: its positions stay untrusted until the primary vouches for them.</summary>
    public void MergeImported(in RywToken token)
    {
        lock (_gate)
        {
            _token = _token.Merge(token);
            _untrusted |= !token.Positions.IsEmpty;
        }
    }

    /// <summary>Records a write whose position the next capture must cover.</summary>
    public void AnnounceWrite() => _writes.Request();

    /// <summary>Records a write whose position a capture must cover, and returns its generation (for a capture of exactly it).</summary>
    public long AnnounceWriteForCapture()
    {
        _writes.Request();
        return _writes.Snapshot();
    }

    /// <summary>Something happened that only the primary's current position covers (an unreadable token, a write elsewhere).</summary>
    public void RequireCurrentPosition() => _unknownWrites.Request();

    /// <summary>
    /// What a capture about to be sent will cover. Read before the probe is sent: what it counts happened before,
    /// so the probe's answer covers it; anything announced meanwhile stays pending (see <see cref="PendingGeneration"/>).
    /// </summary>
    public CaptureGenerations BeginCapture() => new(_writes.Snapshot(), _unknownWrites.Snapshot());

    /// <summary>
    /// A single primary answered the capture with <paramref name="primary"/>: it covers everything the capture was
    /// begun for, including whatever an incomplete token stood for once no unreadable token is pending.
    /// </summary>
    /// <returns>Whether the capture covered a write (counted as a captured write).</returns>
    public bool CompletePrimaryCapture(in CaptureGenerations capture, ReplicationPosition primary)
    {
        lock (_gate)
        {
            _token = _token.Merge(RywToken.FromPosition(primary));
            if (_unknownWrites.SatisfyUpTo(capture.UnknownWrites) && !_unknownWrites.IsPending && _token.IsOverflowed)
            {
                // The primary's position now covers whatever the incomplete token stood for.
                _token = _token.WithPositions(_token.Positions.ToArray(), overflowed: false);
            }
        }

        return _writes.SatisfyUpTo(capture.Writes);
    }

    /// <summary>Every shard primary answered the capture (their positions already merged with <see cref="MergeOwn"/>).</summary>
    /// <returns>Whether the capture covered a write.</returns>
    public bool CompleteCapture(in CaptureGenerations capture)
    {
        _unknownWrites.SatisfyUpTo(capture.UnknownWrites);
        return _writes.SatisfyUpTo(capture.Writes);
    }

    /// <summary>
    /// The write announced as <paramref name="generation"/> was captured at <paramref name="position"/>. Only that
    /// write is covered: another one announced concurrently may have gone to another shard.
    /// </summary>
    public void CompleteWriteCapture(long generation, in RywToken position)
    {
        lock (_gate)
        {
            _token = _token.Merge(position);
            if (_writes.Snapshot() == generation)
            {
                _writes.SatisfyUpTo(generation);
            }
        }
    }
}

/// <summary>The request generations a capture covers once its probe answered.</summary>
internal readonly record struct CaptureGenerations(long Writes, long UnknownWrites);
