using ServerlessRyw.Cli.Statistics;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// One chain's tallies. Each chain has its own recorder (no locking on the hot path); a cell merges them at the end.
/// </summary>
internal sealed class ChainRecorder
{
    public List<double> ReadMs { get; } = [];

    public List<double> WriteMs { get; } = [];

    public long Writes { get; private set; }

    public long Reads { get; private set; }

    public long StaleReads { get; private set; }

    public long OracleEligible { get; private set; }

    public long WaitTimeouts { get; private set; }

    public void RecordWrite(double elapsedMs, bool replicationConfirmed)
    {
        Writes++;
        WriteMs.Add(elapsedMs);
        if (!replicationConfirmed)
        {
            WaitTimeouts++;
        }
    }

    /// <summary>Counts a read of <paramref name="expected"/>, the value the chain wrote last.</summary>
    /// <param name="elapsedMs">The read hop's latency.</param>
    /// <param name="expected">What the chain wrote last.</param>
    /// <param name="seen">What the read returned.</param>
    /// <param name="replicaHadIt">Whether the oracle found <paramref name="expected"/> on the replica just before the read.</param>
    public void RecordRead(double elapsedMs, RedisValue expected, RedisValue seen, bool replicaHadIt)
    {
        Reads++;
        ReadMs.Add(elapsedMs);
        if (seen != expected)
        {
            StaleReads++;
        }

        if (replicaHadIt)
        {
            OracleEligible++;
        }
    }

    public static CellResult Merge(
        IReadOnlyCollection<ChainRecorder> chains, BenchMode mode, int lagMs, TimeSpan elapsed, ReadOutcomes outcomes)
    {
        ArgumentNullException.ThrowIfNull(chains);
        var reads = new List<double>(chains.Sum(c => c.ReadMs.Count));
        var writes = new List<double>(chains.Sum(c => c.WriteMs.Count));
        foreach (var chain in chains)
        {
            reads.AddRange(chain.ReadMs);
            writes.AddRange(chain.WriteMs);
        }

        var hops = new List<double>(reads.Count + writes.Count);
        hops.AddRange(reads);
        hops.AddRange(writes);

        return new CellResult
        {
            Mode = mode,
            LagMs = lagMs,
            Sessions = chains.Count,
            Elapsed = elapsed,
            Writes = chains.Sum(c => c.Writes),
            Reads = chains.Sum(c => c.Reads),
            StaleReads = chains.Sum(c => c.StaleReads),
            OracleEligible = chains.Sum(c => c.OracleEligible),
            WaitTimeouts = chains.Sum(c => c.WaitTimeouts),
            Outcomes = outcomes,
            ReadLatency = LatencySummary.From(reads),
            WriteLatency = LatencySummary.From(writes),
            HopLatency = LatencySummary.From(hops),
        };
    }
}
