using System.Text;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Demo;

/// <summary>The demo's text: what it set up, and the side-by-side table.</summary>
internal static class DemoReport
{
    public static string Introduction(DemoTopology topology, DemoSettings settings)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(settings);
        return new StringBuilder()
            .AppendLine(Invariant($"Started redis-server {topology.RedisVersion}: primary {topology.Primary}, replica {topology.LaggedReplica} ({topology.Lag.TotalMilliseconds:0} ms behind, through a delaying proxy) and replica {topology.PromptReplica}."))
            .AppendLine(Invariant($"Running {settings.Chains} chains ({settings.Concurrency} at a time) with the toolkit off, then on. Each chain is four stateless invocations:"))
            .AppendLine("  POST /orders/{id} writes the order and enqueues a message   (HTTP function on Kestrel)")
            .AppendLine("  → GET /orders/{id} from the caller, with the Ryw-Token it got back   (HTTP hop)")
            .AppendLine("  → the queue consumer reads the order, token from the message envelope   (queue hop)")
            .Append("  → the consumer calls GET /orders/{id}; its HttpClient handler adds the token   (HTTP from the consumer)")
            .ToString();
    }

    public static string Render(DemoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var off = result.Off;
        var on = result.On;
        var text = new StringBuilder()
            .AppendLine()
            .AppendLine(Invariant($"| {result.Topology.Lag.TotalMilliseconds:0} ms replica lag | toolkit off (replica-unsafe) | toolkit on (token mode) |"))
            .AppendLine("|---|---:|---:|")
            .AppendLine(Invariant($"| **stale reads** | **{Stale(off.StaleReads, off.Reads)}** | **{Stale(on.StaleReads, on.Reads)}** |"));
        foreach (var (hop, label) in new[] { (DemoHop.HttpHop, "after an HTTP hop"), (DemoHop.QueueHop, "after a queue hop"), (DemoHop.HttpFromConsumer, "HTTP call from the consumer") })
        {
            text.AppendLine(Invariant($"| &nbsp;&nbsp;{label} | {Stale(off.StaleByHop[(int)hop], off.ReadsByHop[(int)hop])} | {Stale(on.StaleByHop[(int)hop], on.ReadsByHop[(int)hop])} |"));
        }

        text.AppendLine(Invariant($"| reads served by replicas | {Percent(off.ReplicaShare)} | {Percent(on.ReplicaShare)} |"))
            .AppendLine(Invariant($"| read latency p50 | {Ms(off.ReadLatency.P50)} ms | {Ms(on.ReadLatency.P50)} ms |"))
            .AppendLine(Invariant($"| read latency p99 | {Ms(off.ReadLatency.P99)} ms | {Ms(on.ReadLatency.P99)} ms |"))
            .AppendLine(Invariant($"| whole chain p50 / p99 | {Ms(off.ChainLatency.P50)} / {Ms(off.ChainLatency.P99)} ms | {Ms(on.ChainLatency.P50)} / {Ms(on.ChainLatency.P99)} ms |"))
            .AppendLine()
            .AppendLine(Conclusion(result));
        return text.ToString();
    }

    public static string Conclusion(DemoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.On.StaleReads > 0)
        {
            return Invariant($"BUG: {result.On.StaleReads} stale reads with the toolkit on. Please report it with this output.");
        }

        if (result.Off.StaleReads == 0)
        {
            return "No stale reads even without the toolkit this time: replicas kept up. Try a larger --lag.";
        }

        return Invariant($"Without the toolkit, {Percent((double)result.Off.StaleReads / result.Off.Reads)} of reads right after a write missed it. With it, none did, and {Percent(result.On.ReplicaShare)} of reads still went to replicas; a read waits only when its replica has not caught up. Measure the cost on your workload with `ryw bench`, check your Redis with `ryw probe`.");
    }

    private static string Stale(long stale, long reads) =>
        Invariant($"{stale} of {reads} ({Percent(reads == 0 ? 0 : (double)stale / reads)})");
}
