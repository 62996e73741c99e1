using System.Text;
using ServerlessRyw.Cli.Bench;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Reporting;

/// <summary>Renders a bench report as GitHub-flavoured markdown (bench.md, and what <c>ryw bench</c> prints).</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var env = report.Environment;
        var settings = report.Settings;
        text.AppendLine(Invariant($"## ryw bench{(settings.IsQuick ? " --quick" : string.Empty)}"))
            .AppendLine()
            .AppendLine(Invariant($"{env.StartedAt:yyyy-MM-dd HH:mm} UTC on {env.Machine} ({env.ProcessorCount} cores, {env.Runtime}, {env.BuildConfiguration} build, redis-server {env.RedisVersion}, StackExchange.Redis {env.StackExchangeRedisVersion}); took {report.Elapsed.TotalSeconds:0} s.  "))
            .AppendLine(Invariant($"One replica, lagged by a delaying proxy; every hop a new stateless session from the previous hop's token text; {settings.ReadsPerWrite} read hops per write hop; cells of {settings.CellDuration.TotalSeconds:0.##} s; token wait budget {settings.WaitBudget.TotalMilliseconds:0} ms; WAIT timeout {settings.WaitCommandTimeout.TotalMilliseconds:0} ms."))
            .AppendLine();
        if (!env.IsOptimized)
        {
            text.AppendLine("> **Not an optimized build: timings and ratios are not representative.** Run `dotnet run -c Release --project src/ServerlessRyw.Cli -- bench` for numbers.")
                .AppendLine();
        }

        AppendTargets(text, report.Targets);
        AppendOverheads(text, report);
        AppendMatrix(text, report);
        return text.ToString();
    }

    public static string Status(TargetStatus status) => status switch
    {
        TargetStatus.Pass => "pass",
        TargetStatus.Fail => "**FAIL**",
        _ => "–",
    };

    private static string Pass(bool passed) => Status(passed ? TargetStatus.Pass : TargetStatus.Fail);

    private static void AppendTargets(StringBuilder text, IReadOnlyList<TargetResult> targets)
    {
        text.AppendLine("### Targets")
            .AppendLine()
            .AppendLine("| target | goal | measured | result |")
            .AppendLine("|---|---|---|---|");
        foreach (var target in targets)
        {
            text.AppendLine(Invariant($"| {target.Name} | {target.Goal} | {target.Measured} | {Status(target.Status)} |"));
        }

        text.AppendLine();
    }

    private static void AppendOverheads(StringBuilder text, BenchReport report)
    {
        if (report.Overheads.Count == 0 && report.Throughput is null)
        {
            return;
        }

        text.AppendLine("### Toolkit against raw StackExchange.Redis (interleaved in one loop, lag 0)")
            .AppendLine()
            .AppendLine("| operation | baseline | toolkit p50 µs | toolkit p99 µs | raw p50 µs | raw p99 µs | p50 ratio | p99 ratio | goal | result |")
            .AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|---|");
        double[] limits = [TargetEvaluator.FastPathReadLimit, TargetEvaluator.ProbedReadLimit, TargetEvaluator.WriteLimit];
        for (var i = 0; i < report.Overheads.Count; i++)
        {
            var o = report.Overheads[i];
            var limit = i < limits.Length ? limits[i] : double.NaN;
            var note = o.UnexpectedOutcomes == 0 ? string.Empty : Invariant($" ({o.UnexpectedOutcomes} samples not {o.ExpectedOutcome})");
            text.AppendLine(Invariant(
                $"| {o.Operation}{note} | {o.Baseline} | {Us(o.Toolkit.P50)} | {Us(o.Toolkit.P99)} | {Us(o.Raw.P50)} | {Us(o.Raw.P99)} | {Times(o.MedianRatio)} | {Times(o.P99Ratio)} | ≤ {limit:0.00}× | {Pass(o.MedianRatio <= limit)} |"));
        }

        if (report.Throughput is { } t)
        {
            text.AppendLine(Invariant(
                $"| fast-path reads/s, {t.Sessions} sessions ({t.Rounds} alternating rounds; ratio = median of paired rounds) | raw replica GET reads/s | {t.ToolkitPerSecond:0}/s | | {t.RawPerSecond:0}/s | | {Times(t.Ratio)} | | ≥ {TargetEvaluator.ThroughputFloor:0.00}× | {Pass(t.Ratio >= TargetEvaluator.ThroughputFloor)} |"));
        }

        text.AppendLine(Invariant($"\n{(report.Overheads.Count > 0 ? report.Overheads[0].Toolkit.Count : 0)} timed pairs per row, after warm-up. Toolkit rows include creating the session from the incoming token text (and, for writes, exporting the new token)."))
            .AppendLine();
        AppendFloors(text, report);
    }

    /// <summary>
    /// Why a ratio target can fail: the order-proof design's own commands, sent raw in the same loop, already cost
    /// this much over the raw operation. A goal below the floor's ratio is out of reach for any client that keeps the order.
    /// </summary>
    private static void AppendFloors(StringBuilder text, BenchReport report)
    {
        var floored = report.Overheads.Where(static o => o.Floor is not null).ToList();
        if (floored.Count == 0)
        {
            return;
        }

        text.AppendLine("#### The order-proof floor (the design's commands, sent raw in the same loop)")
            .AppendLine()
            .AppendLine("| operation | floor | floor p50 µs | floor / raw | toolkit / floor |")
            .AppendLine("|---|---|---:|---:|---:|");
        foreach (var o in floored)
        {
            text.AppendLine(Invariant($"| {o.Operation} | {o.FloorOperation} | {Us(o.Floor!.Value.P50)} | {Times(o.FloorRatio)} | {Times(o.OverFloorRatio)} |"));
        }

        text.AppendLine()
            .AppendLine("floor / raw is what the order-proof design costs before any toolkit code runs: a ratio goal below it cannot be met by any client that keeps the order. toolkit / floor is the toolkit's own share.")
            .AppendLine();
    }

    private static void AppendMatrix(StringBuilder text, BenchReport report)
    {
        text.AppendLine("### Chained stateless invocations: write hop, then read hops")
            .AppendLine()
            .AppendLine("| lag ms | sessions | mode | reads | stale | replica share | oracle share | read p50 ms | read p99 ms | write p50 ms | write p99 ms | 0 stale | ≥ 0.95× oracle | ≥ 3× window |")
            .AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|");
        foreach (var cell in report.Cells)
        {
            string stale = "", oracle = "", window = "";
            if (cell.Mode == BenchMode.Token)
            {
                stale = Pass(cell.StaleReads == 0);
                oracle = Pass(TargetEvaluator.MeetsOracleShare(cell));
                if (cell.LagMs <= TargetEvaluator.WindowComparisonMaxLagMs && report.Find(BenchMode.Window, cell.LagMs, cell.Sessions) is { } windowCell)
                {
                    window = Pass(TargetEvaluator.MeetsWindowShare(cell, windowCell));
                }
            }

            var timeouts = cell.WaitTimeouts > 0 ? Invariant($" ({cell.WaitTimeouts} WAIT timeouts)") : string.Empty;
            text.AppendLine(Invariant(
                $"| {cell.LagMs} | {cell.Sessions} | {cell.Mode.Name()}{timeouts} | {cell.Reads} | {cell.StaleReads} | {Percent(cell.ReplicaShare)} | {Percent(cell.OracleShare)} | {Ms(cell.ReadLatency.P50)} | {Ms(cell.ReadLatency.P99)} | {Ms(cell.WriteLatency.P50)} | {Ms(cell.WriteLatency.P99)} | {stale} | {oracle} | {window} |"));
        }

        text.AppendLine()
            .AppendLine("stale: reads that did not return the value the chain had just written. replica share: reads the replica served. oracle share: reads for which the replica already held the value when the read was issued (what an ideal router that never waits could offload). Latencies are per hop: a read hop is creating the session from the token text, the routed read and exporting the token.");
    }
}
