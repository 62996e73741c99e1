using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Statistics;

namespace ServerlessRyw.Cli.Tests.Bench;

/// <summary>Builds results by hand for the report and target tests.</summary>
internal static class Cells
{
    public static CellResult Cell(
        BenchMode mode, int lagMs = 0, int sessions = 1, long reads = 100, long stale = 0, long onReplica = 100, long oracle = 100, double readP99 = 0.5)
    {
        var outcomes = mode switch
        {
            BenchMode.PrimaryOnly or BenchMode.Window => new ReadOutcomes(onReplica, 0, 0, 0, reads - onReplica, 0),
            BenchMode.Token => new ReadOutcomes(0, onReplica, 0, 0, 0, reads - onReplica),
            _ => new ReadOutcomes(onReplica, 0, 0, 0, 0, reads - onReplica),
        };
        return new CellResult
        {
            Mode = mode,
            LagMs = lagMs,
            Sessions = sessions,
            Elapsed = TimeSpan.FromSeconds(1),
            Writes = reads / 4,
            Reads = reads,
            StaleReads = stale,
            OracleEligible = oracle,
            WaitTimeouts = 0,
            Outcomes = outcomes,
            ReadLatency = new LatencySummary((int)reads, 0.1, readP99, readP99 * 2),
            WriteLatency = new LatencySummary((int)(reads / 4), 0.2, 0.9, 1.5),
            HopLatency = new LatencySummary((int)(reads * 5 / 4), 0.1, readP99, readP99 * 2),
        };
    }

    public static OverheadResult Overhead(double toolkitP50Ms, double rawP50Ms, string operation = "op") =>
        new(operation, "raw", new LatencySummary(100, toolkitP50Ms, toolkitP50Ms * 2, toolkitP50Ms * 3), new LatencySummary(100, rawP50Ms, rawP50Ms * 2, rawP50Ms * 3), "ReplicaHit", 0);

    public static BenchReport Report(IReadOnlyList<CellResult> cells, IReadOnlyList<OverheadResult>? overheads = null, ThroughputResult? throughput = null, string build = "Release") =>
        new()
        {
            Settings = BenchSettings.Quick,
            Environment = new BenchEnvironment(DateTimeOffset.UnixEpoch, "test-machine", 2, ".NET 10", "7.0.15", "1.2.6", build),
            Cells = cells,
            Overheads = overheads ?? [Overhead(0.050, 0.049), Overhead(0.060, 0.050), Overhead(0.055, 0.050)],
            Throughput = throughput ?? new ThroughputResult(64, 1000, 950, 0, 4, 0.95),
            Elapsed = TimeSpan.FromSeconds(10),
        };

    /// <summary>A healthy matrix: the problem shows without the toolkit and token mode fixes it.</summary>
    public static List<CellResult> Healthy() =>
    [
        Cell(BenchMode.ReplicaUnsafe, lagMs: 50, stale: 100, oracle: 0),
        Cell(BenchMode.PrimaryOnly, lagMs: 50, onReplica: 0, oracle: 0),
        Cell(BenchMode.Window, lagMs: 50, onReplica: 0, oracle: 0),
        Cell(BenchMode.Token, lagMs: 50, onReplica: 100, oracle: 75),
    ];
}
