using ServerlessRyw.Cli.Statistics;

namespace ServerlessRyw.Cli.Bench;

/// <summary>Where a cell's routed reads were served, from the mode client's <see cref="RywStatistics"/>.</summary>
internal readonly record struct ReadOutcomes(long Replica, long ReplicaHit, long ProbedHit, long WaitedHit, long Primary, long PrimaryFallback)
{
    public long Total => Replica + ReplicaHit + ProbedHit + WaitedHit + Primary + PrimaryFallback;

    public long OnReplica => Replica + ReplicaHit + ProbedHit + WaitedHit;

    public static ReadOutcomes From(RywStatistics statistics) => new(
        statistics[RywReadOutcome.Replica],
        statistics[RywReadOutcome.ReplicaHit],
        statistics[RywReadOutcome.ProbedHit],
        statistics[RywReadOutcome.WaitedHit],
        statistics[RywReadOutcome.Primary],
        statistics[RywReadOutcome.PrimaryFallback]);
}

/// <summary>One (lag, sessions, mode) cell of the matrix.</summary>
internal sealed record CellResult
{
    public required BenchMode Mode { get; init; }

    public required int LagMs { get; init; }

    public required int Sessions { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required long Writes { get; init; }

    /// <summary>Reads of a value the chain had just written (every read in the workload).</summary>
    public required long Reads { get; init; }

    /// <summary>Reads that returned something other than the chain's last written value.</summary>
    public required long StaleReads { get; init; }

    /// <summary>Reads for which the replica already held the chain's value just before the read was issued.</summary>
    public required long OracleEligible { get; init; }

    /// <summary>WAIT calls that timed out before the replica acknowledged (wait-after-write only).</summary>
    public required long WaitTimeouts { get; init; }

    public required ReadOutcomes Outcomes { get; init; }

    public required LatencySummary ReadLatency { get; init; }

    public required LatencySummary WriteLatency { get; init; }

    /// <summary>Every hop, reads and writes together: where each mode pays its tax differs (WAIT on writes, token waits on reads).</summary>
    public required LatencySummary HopLatency { get; init; }

    /// <summary>Share of reads served by the replica.</summary>
    public double ReplicaShare => Ratio.Share(Outcomes.OnReplica, Outcomes.Total);

    /// <summary>Share of reads an ideal router would have served from the replica (see <see cref="OracleEligible"/>).</summary>
    public double OracleShare => Ratio.Share(OracleEligible, Reads);

    public double HopsPerSecond => Elapsed <= TimeSpan.Zero ? 0 : (Writes + Reads) / Elapsed.TotalSeconds;
}
