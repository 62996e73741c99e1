namespace ServerlessRyw;

/// <summary>A snapshot of a <see cref="RywClient"/>'s counters since it was created.</summary>
public readonly struct RywStatistics
{
    private readonly long[]? _outcomes;
    private readonly long[]? _rejections;

    internal RywStatistics(long[] outcomes, long[] rejections, long writes, long probeFailures, TimeSpan totalWait, long tokenOverflows = 0)
    {
        TokenOverflows = tokenOverflows;
        _outcomes = outcomes;
        _rejections = rejections;
        Writes = writes;
        ProbeFailures = probeFailures;
        TotalWait = totalWait;
    }

    /// <summary>Writes whose token was captured.</summary>
    public long Writes { get; }

    /// <summary>Offset probes that failed (connection lost, script refused): each fell back safely.</summary>
    public long ProbeFailures { get; }

    /// <summary>
    /// Sessions whose token held more histories than <see cref="RywToken.MaxPositions"/> (Redis Cluster: shards
    /// written): their reads required each shard primary's current position instead.
    /// </summary>
    public long TokenOverflows { get; }

    /// <summary>Time reads spent waiting for replicas, summed.</summary>
    public TimeSpan TotalWait { get; }

    /// <summary>All routed reads.</summary>
    public long Reads => _outcomes?.Sum() ?? 0;

    /// <summary>Reads served by any replica.</summary>
    public long ReplicaReads =>
        this[RywReadOutcome.Replica] + this[RywReadOutcome.ReplicaHit] + this[RywReadOutcome.ProbedHit] + this[RywReadOutcome.WaitedHit];

    /// <summary>How many reads had the given outcome.</summary>
    /// <param name="outcome">The outcome.</param>
    public long this[RywReadOutcome outcome] => _outcomes is null ? 0 : _outcomes[(int)outcome];

    /// <summary>How many incoming tokens were rejected or corrected for the given reason.</summary>
    /// <param name="reason">The reason.</param>
    public long this[RywTokenRejection reason] => _rejections is null ? 0 : _rejections[(int)reason];

    /// <summary>The difference between this snapshot and an earlier one.</summary>
    /// <param name="earlier">A snapshot taken before this one.</param>
    /// <returns>What happened in between.</returns>
    public RywStatistics Since(RywStatistics earlier)
    {
        var outcomes = new long[RywTelemetry.OutcomeCount];
        var rejections = new long[RywTelemetry.RejectionCount];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = this[(RywReadOutcome)i] - earlier[(RywReadOutcome)i];
        }

        for (var i = 0; i < rejections.Length; i++)
        {
            rejections[i] = this[(RywTokenRejection)i] - earlier[(RywTokenRejection)i];
        }

        return new RywStatistics(
            outcomes,
            rejections,
            Writes - earlier.Writes,
            ProbeFailures - earlier.ProbeFailures,
            TotalWait - earlier.TotalWait,
            TokenOverflows - earlier.TokenOverflows);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var self = this;
        return string.Join(", ", Enum.GetValues<RywReadOutcome>().Select(o => $"{o}={self[o]}"))
            + $", Writes={Writes}, ProbeFailures={ProbeFailures}, TokenOverflows={TokenOverflows}, TotalWait={TotalWait.TotalMilliseconds:0.#}ms, Rejected="
            + string.Join("/", Enum.GetValues<RywTokenRejection>().Select(r => $"{r}:{self[r]}"));
    }
}
