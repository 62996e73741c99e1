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

    public static string SentinelIntroduction(DemoSentinelTopology topology, string primary, DemoSettings settings)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder();
        if (topology.Local)
        {
            text.AppendLine(Invariant($"Started redis-server {topology.RedisVersion}: three sentinels ({topology.Configuration}) monitoring primary {primary} and replicas {string.Join(" and ", topology.Nodes.Where(n => n != primary))}."));
            text.AppendLine(topology.Pause is { } pause
                ? Invariant($"Replica lag: Sentinel announces the real addresses, so no delaying proxy; instead every replica gets CLIENT PAUSE {pause.TotalMilliseconds:0} WRITE every {topology.PauseEvery.TotalMilliseconds:0} ms, which holds the replication stream (reads are still served, stale).")
                : "Replica lag: none injected (--lag 0).");
        }
        else
        {
            text.AppendLine(Invariant($"Your sentinels ({topology.Configuration}) name primary {primary} for {topology.ServiceName}. Replica lag is your replicas' own; the demo writes keys ryw:demo:order:* with a 10-minute expiry."));
        }

        text.AppendLine(settings.Failover
            ? Invariant($"Running {settings.Chains} chains ({settings.Concurrency} at a time) with the toolkit off, then on; after {settings.Chains / 2} chains of each run, SENTINEL FAILOVER {topology.ServiceName}, chains going on meanwhile. Each chain is four stateless invocations:")
            : Invariant($"Running {settings.Chains} chains ({settings.Concurrency} at a time) with the toolkit off, then on (no failover: add --failover to force one). Each chain is four stateless invocations:"));
        return text
            .AppendLine("  POST /orders/{id} writes the order and enqueues a message   (HTTP function on Kestrel)")
            .AppendLine("  → GET /orders/{id} from the caller, with the Ryw-Token it got back   (HTTP hop)")
            .AppendLine("  → the queue consumer reads the order, token from the message envelope   (queue hop)")
            .Append("  → the consumer calls GET /orders/{id}; its HttpClient handler adds the token   (HTTP from the consumer)")
            .ToString();
    }

    public static string Render(DemoResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Sentinel is not null)
        {
            return RenderSentinel(result);
        }

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

    /// <summary>The bound on a replica-served read in token mode: the wait budget, one more probe and read, one backoff.</summary>
    public static TimeSpan TokenReplicaReadBound(RywOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.WaitBudget + options.ReplicaTimeout + options.MaxBackoff;
    }

    private static string RenderSentinel(DemoResult result)
    {
        var off = result.Off;
        var on = result.On;
        var bound = TokenReplicaReadBound(new RywOptions());
        var text = new StringBuilder()
            .AppendLine()
            .AppendLine("| Redis Sentinel | toolkit off (replica-unsafe) | toolkit on (token mode) |")
            .AppendLine("|---|---:|---:|")
            .AppendLine(Invariant($"| primary before → after | {Primaries(off)} | {Primaries(on)} |"))
            .AppendLine(Invariant($"| failover | {Failover(off)} | {Failover(on)} |"))
            .AppendLine(Invariant($"| **stale reads** | **{Stale(off.StaleReads, off.Reads)}** | **{Stale(on.StaleReads, on.Reads)}** |"));
        foreach (var (hop, label) in new[] { (DemoHop.HttpHop, "after an HTTP hop"), (DemoHop.QueueHop, "after a queue hop"), (DemoHop.HttpFromConsumer, "HTTP call from the consumer") })
        {
            text.AppendLine(Invariant($"| &nbsp;&nbsp;{label} | {Stale(off.StaleByHop[(int)hop], off.ReadsByHop[(int)hop])} | {Stale(on.StaleByHop[(int)hop], on.ReadsByHop[(int)hop])} |"));
        }

        text.AppendLine(Invariant($"| lost writes (acknowledged, not on the final primary) | {off.LostWrites} of {off.Writes} | {on.LostWrites} of {on.Writes} |"))
            .AppendLine(Invariant($"| reads that missed a lost write (not stale) | {off.ReadsOfLostWrites} | {on.ReadsOfLostWrites} |"))
            .AppendLine(Invariant($"| requests failed with a Redis error (503) | {off.FailedRequests} | {on.FailedRequests} |"))
            .AppendLine(Invariant($"| reads served by replicas | {Percent(off.ReplicaShare)} | {Percent(on.ReplicaShare)} |"))
            .AppendLine(Invariant($"| read latency p50 / p99 | {Ms(off.ReadLatency.P50)} / {Ms(off.ReadLatency.P99)} ms | {Ms(on.ReadLatency.P50)} / {Ms(on.ReadLatency.P99)} ms |"))
            .AppendLine(Invariant($"| slowest replica-served read (token-mode bound {Ms(bound.TotalMilliseconds)} ms) | {Ms(off.SlowestReplicaReadMs)} ms | {Ms(on.SlowestReplicaReadMs)} ms |"))
            .AppendLine(Invariant($"| slowest read, any server | {Ms(off.ReadLatency.Max)} ms | {Ms(on.ReadLatency.Max)} ms |"))
            .AppendLine(Invariant($"| whole chain p50 / p99 | {Ms(off.ChainLatency.P50)} / {Ms(off.ChainLatency.P99)} ms | {Ms(on.ChainLatency.P50)} / {Ms(on.ChainLatency.P99)} ms |"))
            .AppendLine()
            .AppendLine(Conclusion(result));
        if (off.LostWrites + on.LostWrites > 0)
        {
            text.AppendLine("Lost writes are the failover's, not the toolkit's: Sentinel promotes a replica that had not received them. Reads that miss them are not counted as stale.");
        }

        return text.ToString();

        static string Primaries(DemoPhaseResult phase) => phase.PrimaryChange is { } change
            ? change.Before == change.After ? change.Before + " (unchanged)" : change.Before + " → " + change.After
            : "?";

        static string Failover(DemoPhaseResult phase) => phase.PrimaryChange?.Failover is { } failover
            ? Invariant($"after chain {failover.AfterChains}, {failover.StartedAt.TotalSeconds:0.00} s in; new primary agreed in {failover.Took.TotalSeconds:0.00} s, {failover.ChainsDuring} chains meanwhile")
            : "none";
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
