using System.Diagnostics;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Routing;
using StackExchange.Redis;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// <c>ryw bench --probe-cost</c>: what each way of asking a server for its position costs the server itself, from
/// its own <c>INFO commandstats</c>, on a replica and on the primary. Calls go one at a time, as a stateless
/// invocation sends them, and the variants are interleaved in rounds (order reversed every round) so drift on a
/// shared machine hits them alike.
/// </summary>
internal sealed class ProbeCostBench(BenchSettings settings, Progress progress)
{
    /// <summary>Rounds the calls are split into; their spread is the noise figure.</summary>
    public const int Rounds = 4;

    /// <summary>The key every GET reads (a short value: a read's cost, not a transfer's).</summary>
    internal static readonly RedisKey ReadKey = "ryw:bench:probe-cost";

    public async Task<ProbeCostReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        progress.Update("Starting a local primary and a replica…");
        var cluster = await BenchCluster.StartAsync(settings.RedisServerPath, cancellationToken).ConfigureAwait(false);
        await using var clusterScope = cluster.ConfigureAwait(false);
        var replica = await ProbeCostServer.ConnectAsync("replica", cluster.Servers.Replicas[0].EndPoint, cluster.Replica).ConfigureAwait(false);
        await using var replicaScope = replica.ConfigureAwait(false);
        var primary = await ProbeCostServer.ConnectAsync("primary", cluster.Servers.Primary.EndPoint, cluster.Primary).ConfigureAwait(false);
        await using var primaryScope = primary.ConfigureAwait(false);

        _ = await ProbeCostServer.Bounded(cluster.Primary.GetDatabase().StringSetAsync(ReadKey, "v"), cancellationToken).ConfigureAwait(false);
        await cluster.SetLagAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        string[] scripts = [ReplicationProbe.Script, ProbeVariants.ParsingScript];
        var probeSha = string.Empty;
        foreach (var server in new[] { replica, primary })
        {
            foreach (var script in scripts)
            {
                var sha = await server.LoadScriptAsync(script, cancellationToken).ConfigureAwait(false);
                probeSha = script == ReplicationProbe.Script ? sha : probeSha;
            }
        }

        var variants = ProbeVariants.Create(ReadKey, probeSha);
        progress.Update("Probe cost: checking what each variant can do (token, MULTI, admin mode, write pause, SCRIPT FLUSH)…");
        var checks = new List<ProbeCheck>();
        foreach (var variant in variants)
        {
            checks.Add(await ProbeCheck.RunAsync(variant, replica, primary, scripts, cancellationToken).ConfigureAwait(false));
        }

        var roleFromLua = await ProbeCheck.RoleFromLuaAsync(replica, cancellationToken).ConfigureAwait(false);
        var samples = await MeasureAsync(variants, [replica, primary], cancellationToken).ConfigureAwait(false);
        progress.Clear();
        return new ProbeCostReport
        {
            Environment = BenchEnvironment.Capture(startedAt, cluster.RedisVersion),
            Calls = CallsPerRound * Rounds,
            Rounds = Rounds,
            Costs = [.. variants.Select((v, i) => new VariantCost(v, checks[i], new ServerCost(samples[(i, replica)]), new ServerCost(samples[(i, primary)])))],
            RoleFromLua = roleFromLua,
            Elapsed = Stopwatch.GetElapsedTime(started),
        };
    }

    private int CallsPerRound => Math.Max(1, settings.ProbeCalls / Rounds);

    private async Task<Dictionary<(int Variant, ProbeCostServer Server), List<RoundSample>>> MeasureAsync(
        IReadOnlyList<ProbeVariant> variants, IReadOnlyList<ProbeCostServer> servers, CancellationToken cancellationToken)
    {
        // Unmeasured calls first: compiled scripts, warm caches and a settled connection for every variant.
        var warmUp = Math.Clamp(CallsPerRound / 5, 10, 500);
        progress.Update(Invariant($"Probe cost: warming up ({warmUp} calls per variant and server)…"));
        foreach (var server in servers)
        {
            foreach (var variant in variants)
            {
                await SendAsync(variant, server, warmUp, cancellationToken).ConfigureAwait(false);
            }
        }

        var samples = new Dictionary<(int, ProbeCostServer), List<RoundSample>>();
        for (var round = 0; round < Rounds; round++)
        {
            var order = Enumerable.Range(0, variants.Count).ToList();
            if (round % 2 == 1)
            {
                order.Reverse();
            }

            foreach (var server in round % 2 == 0 ? servers : servers.Reverse())
            {
                foreach (var index in order)
                {
                    progress.Update(Invariant($"Probe cost: round {round + 1}/{Rounds}, {server.Name}, {variants[index].Name} ({CallsPerRound} calls)…"));
                    var sample = await MeasureRoundAsync(variants[index], server, cancellationToken).ConfigureAwait(false);
                    if (!samples.TryGetValue((index, server), out var list))
                    {
                        samples[(index, server)] = list = [];
                    }

                    list.Add(sample);
                }
            }
        }

        return samples;
    }

    private async Task<RoundSample> MeasureRoundAsync(ProbeVariant variant, ProbeCostServer server, CancellationToken cancellationToken)
    {
        var cpuBefore = await server.ReadCpuSecondsAsync(cancellationToken).ConfigureAwait(false);
        await server.ResetCommandStatsAsync(cancellationToken).ConfigureAwait(false);
        await SendAsync(variant, server, CallsPerRound, cancellationToken).ConfigureAwait(false);
        var stats = await server.ReadCommandStatsAsync(cancellationToken).ConfigureAwait(false);
        var cpuAfter = await server.ReadCpuSecondsAsync(cancellationToken).ConfigureAwait(false);

        double microseconds = 0;
        foreach (var command in variant.SentCommands)
        {
            // One per call, or something else was sent (a client-side retry, a hidden command) and the figure would
            // not be this variant's. A few more are other clients': every StackExchange.Redis connection sends its own
            // INFO replication every ConfigCheckSeconds, so those are tolerated and averaged out.
            var counted = stats.TryGetValue(command, out var stat) ? stat.Calls : 0;
            if (counted < CallsPerRound || counted > CallsPerRound + Math.Max(2, CallsPerRound / 100))
            {
                throw new InvalidOperationException(Invariant(
                    $"{server.Name}, {variant.Name}: sent {CallsPerRound} × {command}, but INFO commandstats counted {counted}."));
            }

            microseconds += (double)stat.Microseconds * CallsPerRound / counted;
        }

        var nestedInfo = variant.SentCommands.Contains("info") ? default : stats.GetValueOrDefault("info");
        return new RoundSample(CallsPerRound, microseconds, nestedInfo.Calls, nestedInfo.Microseconds, cpuAfter - cpuBefore);
    }

    private static async Task SendAsync(ProbeVariant variant, ProbeCostServer server, int calls, CancellationToken cancellationToken)
    {
        for (var call = 0; call < calls; call++)
        {
            _ = await ProbeCostServer.Bounded(variant.SendAsync(server.Admin), cancellationToken).ConfigureAwait(false);
        }
    }
}
