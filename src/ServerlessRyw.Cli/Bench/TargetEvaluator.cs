using ServerlessRyw.Cli.Statistics;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Bench;

internal enum TargetStatus
{
    Pass,
    Fail,
    NotMeasured,
}

/// <summary>One performance or correctness goal and how this run did against it.</summary>
internal sealed record TargetResult(string Name, string Goal, string Measured, TargetStatus Status, bool IsCorrectness = false);

/// <summary>The project's published goals, checked against a bench report.</summary>
internal static class TargetEvaluator
{
    public const double FastPathReadLimit = 1.05;
    public const double ProbedReadLimit = 1.3;
    public const double WriteLimit = 1.15;
    public const double OracleShareFloor = 0.95;
    public const double WindowShareMultiple = 3;
    public const int WindowComparisonMaxLagMs = 50;
    public const double ThroughputFloor = 0.9;

    public static IReadOnlyList<TargetResult> Evaluate(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return
        [
            TokenStaleReads(report),
            Overhead(report, 0, "fast-path read ≤ 1.05× raw replica read (p50)", FastPathReadLimit),
            Overhead(report, 1, "probe + read ≤ 1.3× raw replica read (p50)", ProbedReadLimit),
            Overhead(report, 2, "write with token capture ≤ 1.15× raw write (p50)", WriteLimit),
            OracleShare(report),
            WindowShare(report),
            Throughput(report),
            ProblemReproduced(report),
        ];
    }

    /// <summary>Whether a token-mode cell keeps at least 95 % of the oracle's replica share.</summary>
    public static bool MeetsOracleShare(CellResult token) => token.ReplicaShare >= OracleShareFloor * token.OracleShare;

    /// <summary>Whether token mode offloads at least 3× what the 2 s window does in the same (lag, sessions) cell.</summary>
    public static bool MeetsWindowShare(CellResult token, CellResult window) =>
        token.ReplicaShare > 0 && token.ReplicaShare >= WindowShareMultiple * window.ReplicaShare;

    private static TargetResult TokenStaleReads(BenchReport report)
    {
        var cells = report.Cells.Where(c => c.Mode == BenchMode.Token).ToList();
        const string Name = "token mode: 0 stale reads";
        if (cells.Count == 0)
        {
            return new TargetResult(Name, "0", "token mode not run", TargetStatus.NotMeasured, IsCorrectness: true);
        }

        var stale = cells.Sum(c => c.StaleReads);
        return new TargetResult(
            Name,
            "0",
            Invariant($"{stale} stale of {cells.Sum(c => c.Reads)} reads"),
            stale == 0 ? TargetStatus.Pass : TargetStatus.Fail,
            IsCorrectness: true);
    }

    private static TargetResult Overhead(BenchReport report, int index, string name, double limit)
    {
        if (report.Overheads.Count <= index)
        {
            return new TargetResult(name, Invariant($"≤ {limit:0.00}×"), "not run", TargetStatus.NotMeasured);
        }

        var result = report.Overheads[index];
        return new TargetResult(
            name,
            Invariant($"≤ {limit:0.00}×"),
            Invariant($"{Times(result.MedianRatio)} ({Us(result.Toolkit.P50)} µs vs {Us(result.Raw.P50)} µs)"),
            result.MedianRatio <= limit ? TargetStatus.Pass : TargetStatus.Fail);
    }

    private static TargetResult OracleShare(BenchReport report)
    {
        const string Name = "token replica share ≥ 0.95× oracle (every cell)";
        var cells = report.Cells.Where(c => c.Mode == BenchMode.Token && c.Reads > 0).ToList();
        if (cells.Count == 0)
        {
            return new TargetResult(Name, "≥ 0.95×", "token mode not run", TargetStatus.NotMeasured);
        }

        var worst = cells.MinBy(c => Ratio.Of(c.ReplicaShare, c.OracleShare))!;
        var failing = cells.Count(c => !MeetsOracleShare(c));
        return new TargetResult(
            Name,
            "≥ 0.95×",
            Invariant($"worst {Times(Ratio.Of(worst.ReplicaShare, worst.OracleShare))} ({Percent(worst.ReplicaShare)} vs {Percent(worst.OracleShare)} at {worst.LagMs} ms, {worst.Sessions} sessions); {failing} of {cells.Count} cells below"),
            failing == 0 ? TargetStatus.Pass : TargetStatus.Fail);
    }

    private static TargetResult WindowShare(BenchReport report)
    {
        const string Name = "token replica share ≥ 3× window (2 s) at lag ≤ 50 ms";
        var pairs = report.Cells
            .Where(c => c.Mode == BenchMode.Token && c.LagMs <= WindowComparisonMaxLagMs)
            .Select(t => (Token: t, Window: report.Find(BenchMode.Window, t.LagMs, t.Sessions)))
            .Where(p => p.Window is not null)
            .Select(p => (p.Token, Window: p.Window!))
            .ToList();
        if (pairs.Count == 0)
        {
            return new TargetResult(Name, "≥ 3×", "token and window not both run at lag ≤ 50 ms", TargetStatus.NotMeasured);
        }

        var worst = pairs.MinBy(p => Ratio.Of(p.Token.ReplicaShare, p.Window.ReplicaShare));
        var failing = pairs.Count(p => !MeetsWindowShare(p.Token, p.Window));
        return new TargetResult(
            Name,
            "≥ 3×",
            Invariant($"worst {Times(Ratio.Of(worst.Token.ReplicaShare, worst.Window.ReplicaShare))} ({Percent(worst.Token.ReplicaShare)} vs {Percent(worst.Window.ReplicaShare)} at {worst.Token.LagMs} ms, {worst.Token.Sessions} sessions); {failing} of {pairs.Count} cells below"),
            failing == 0 ? TargetStatus.Pass : TargetStatus.Fail);
    }

    private static TargetResult Throughput(BenchReport report)
    {
        var name = Invariant($"throughput ≥ 0.9× raw at {report.Throughput?.Sessions ?? report.Settings.ThroughputSessions} sessions");
        if (report.Throughput is not { } throughput)
        {
            return new TargetResult(name, "≥ 0.90×", "not run", TargetStatus.NotMeasured);
        }

        return new TargetResult(
            name,
            "≥ 0.90×",
            Invariant($"{Times(throughput.Ratio)} ({throughput.ToolkitPerSecond:0} vs {throughput.RawPerSecond:0} reads/s)"),
            throughput.Ratio >= ThroughputFloor ? TargetStatus.Pass : TargetStatus.Fail);
    }

    /// <summary>
    /// Not a goal but a check that the run could have failed: with the toolkit off, a lagged replica must show
    /// stale reads, or "0 stale in token mode" proves nothing.
    /// </summary>
    private static TargetResult ProblemReproduced(BenchReport report)
    {
        const string Name = "check: toolkit off shows stale reads at lag ≥ 5 ms";
        var cells = report.Cells.Where(c => c.Mode == BenchMode.ReplicaUnsafe && c.LagMs >= 5).ToList();
        if (cells.Count == 0)
        {
            return new TargetResult(Name, "> 0", "replica-unsafe not run at lag ≥ 5 ms", TargetStatus.NotMeasured, IsCorrectness: true);
        }

        var stale = cells.Sum(c => c.StaleReads);
        return new TargetResult(
            Name,
            "> 0",
            Invariant($"{stale} stale of {cells.Sum(c => c.Reads)} reads"),
            stale > 0 ? TargetStatus.Pass : TargetStatus.Fail,
            IsCorrectness: true);
    }
}
