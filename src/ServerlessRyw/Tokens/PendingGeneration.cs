namespace ServerlessRyw;

/// <summary>
/// "Something happened that only the primary's current position covers" as a pair of counters: every request
/// raises <c>requested</c>; a capture reads it before its probe is sent and, once the probe answered, raises
/// <c>satisfied</c> to what it read. A request made while a capture is in flight therefore stays pending: a flag
/// cleared after the probe would lose it, and one cleared before would be wrong when the probe fails.
/// </summary>
/// <remarks>A mutable struct kept in a field and only used through it (never copied).</remarks>
internal struct PendingGeneration
{
    private long _requested;
    private long _satisfied;

    /// <summary>Whether a request is not covered by a capture yet.</summary>
    public bool IsPending => Volatile.Read(ref _requested) > Volatile.Read(ref _satisfied);

    /// <summary>Records a request.</summary>
    public void Request() => Interlocked.Increment(ref _requested);

    /// <summary>What a capture about to be sent will cover.</summary>
    public long Snapshot() => Volatile.Read(ref _requested);

    /// <summary>Marks every request up to <paramref name="generation"/> covered; <see langword="true"/> when that covered any.</summary>
    public bool SatisfyUpTo(long generation)
    {
        while (true)
        {
            var current = Volatile.Read(ref _satisfied);
            if (generation <= current)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _satisfied, generation, current) == current)
            {
                return true;
            }
        }
    }
}
