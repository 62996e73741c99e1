using System.Text;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Bench;

/// <summary>Renders a probe-cost run as markdown (what <c>ryw bench --probe-cost</c> prints and writes to probe-cost.md).</summary>
internal static class ProbeCostMarkdown
{
    public const string FileName = "probe-cost.md";

    public const string TableHeader =
        "| variant | sent as | replica µs | primary µs | of which INFO (replica) µs | replica CPU µs | primary CPU µs | usable as the probe |";

    public static string Render(ProbeCostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var env = report.Environment;
        var text = new StringBuilder()
            .AppendLine("## ryw bench --probe-cost")
            .AppendLine()
            .AppendLine(Invariant($"{env.StartedAt:yyyy-MM-dd HH:mm} UTC on {env.Machine} ({env.ProcessorCount} cores, {env.Runtime}, {env.BuildConfiguration} build, redis-server {env.RedisVersion}, StackExchange.Redis {env.StackExchangeRedisVersion}); took {report.Elapsed.TotalSeconds:0} s.  "))
            .AppendLine(Invariant($"{report.Calls} calls per variant and server, one at a time, in {report.Rounds} interleaved rounds (order reversed every round)."))
            .AppendLine()
            .AppendLine("Server µs: the server's own time per call from `INFO commandstats` (`usec` / `calls` after `CONFIG RESETSTAT`), "
                + "summed over the commands the client sends. A script's or `EXEC`'s entry already includes the commands it runs, so "
                + "those are not added again; in brackets, the lowest and highest round. CPU µs: the server process's user + system "
                + "CPU per call (`INFO cpu`), which adds reading, parsing and answering the message. The checks in the last column "
                + "ran against the live servers.")
            .AppendLine();
        if (!env.IsOptimized)
        {
            // Server-side figures do not depend on the client's build, but the CPU column's round trips do a little.
            text.AppendLine("> Not an optimized build of the client: the server µs hold, the CPU column may differ slightly from a Release run.")
                .AppendLine();
        }

        text.AppendLine(TableHeader)
            .AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var cost in report.Costs)
        {
            var verdict = cost.Variant.IsBaseline ? "baseline (a read)" : cost.Check.Verdict;
            text.AppendLine(Invariant(
                $"| {cost.Variant.Name} | `{cost.Variant.SentAs}` | {Figure(cost.Replica)} | {Figure(cost.Primary)} | {Micro(cost.Replica.InfoMicrosecondsPerCall)} | {Micro(cost.Replica.CpuMicrosecondsPerCall)} | {Micro(cost.Primary.CpuMicrosecondsPerCall)} | {Cell(verdict)} |"));
        }

        return text.AppendLine()
            .AppendLine("`redis.call('ROLE')` from a script on the replica: " + Cell(report.RoleFromLua))
            .AppendLine()
            .AppendLine(report.Conclusion)
            .ToString();
    }

    private static string Figure(ServerCost cost) =>
        Invariant($"{Micro(cost.MicrosecondsPerCall)} ({Micro(cost.RoundMicrosecondsPerCall.Min())}–{Micro(cost.RoundMicrosecondsPerCall.Max())})");

    private static string Micro(double microseconds) => double.IsNaN(microseconds) ? "–" : Number(microseconds, "0.00");

    // Server messages go into table cells: a pipe would split the cell, a newline the row.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
}
