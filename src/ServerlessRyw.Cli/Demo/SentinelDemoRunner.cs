using System.Diagnostics;
using ServerlessRyw.Cli.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Demo;

/// <summary>
/// <c>ryw demo --sentinel</c>: the same chains as <see cref="DemoRunner"/>, with the client built from
/// <c>RywOptions.Topology.Sentinel</c>, replicas lagging in bursts and a <c>SENTINEL FAILOVER</c> half-way through each
/// phase. A read that misses its chain's write is stale only if the primary after the failover holds the write;
/// otherwise the failover lost the write, and no read can be blamed for missing it.
/// </summary>
internal sealed class SentinelDemoRunner(DemoSettings settings, Progress progress)
{
    private static readonly TimeSpan ReplicasTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    public async Task<DemoResult> RunAsync(CancellationToken cancellationToken)
    {
        DemoSentinels sentinels;
        if (settings.SentinelConfiguration is { } configuration)
        {
            sentinels = new ExistingDemoSentinels(configuration);
        }
        else
        {
            progress.Update("Starting three local sentinels, a primary and two replicas…");
            sentinels = await LocalDemoSentinels.StartAsync(settings, cancellationToken).ConfigureAwait(false);
        }

        await using (sentinels.ConfigureAwait(false))
        {
            var primary = await sentinels.PrimaryAsync(cancellationToken).ConfigureAwait(false);
            progress.Clear();
            await Console.Out.WriteLineAsync(DemoReport.SentinelIntroduction(sentinels.Topology, primary, settings)).ConfigureAwait(false);

            var off = await RunPhaseAsync("toolkit off", RywMode.ReplicaUnsafe, sentinels, cancellationToken).ConfigureAwait(false);
            if (settings.Failover)
            {
                progress.Update("Waiting for the sentinels to settle after the failover…");
                await sentinels.SettleAsync(cancellationToken).ConfigureAwait(false);
            }

            var on = await RunPhaseAsync("toolkit on", RywMode.Token, sentinels, cancellationToken).ConfigureAwait(false);
            progress.Clear();
            var topology = new DemoTopology(sentinels.Topology.RedisVersion ?? "?", primary, string.Empty, string.Empty, settings.Lag);
            return new DemoResult(topology, off, on, sentinels.Topology);
        }
    }

    private async Task<DemoPhaseResult> RunPhaseAsync(string name, RywMode mode, DemoSentinels sentinels, CancellationToken cancellationToken)
    {
        var recorder = new DemoRecorder();
        progress.Update(name + ": connecting through Sentinel and starting the function app on Kestrel…");
        var before = await sentinels.PrimaryAsync(cancellationToken).ConfigureAwait(false);
        var app = await DemoApp.StartAsync(
            mode,
            primary: null,
            options =>
            {
                options.Topology.Sentinel = sentinels.Configuration;
                options.Topology.RefreshInterval = RefreshInterval;
            },
            recorder,
            tolerateRedisFailures: true,
            cancellationToken).ConfigureAwait(false);
        await using (app.ConfigureAwait(false))
        {
            await WaitForReplicasAsync(app.Client, cancellationToken).ConfigureAwait(false);
            using var caller = new HttpClient { BaseAddress = app.Address };
            await DemoChains.RunAsync(settings, progress, caller, recorder, name, "warmup", settings.WarmUpChains, report: false, tolerateFailures: true, until: null, cancellationToken).ConfigureAwait(false);

            var statistics = app.Client.Statistics;
            recorder.Recording = true;
            using var stopLag = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var lag = Task.Run(() => sentinels.LagAsync(stopLag.Token), CancellationToken.None);
            DemoFailover? failover;
            try
            {
                var clock = Stopwatch.StartNew();
                var firstHalf = settings.Chains / 2;
                await DemoChains.RunAsync(settings, progress, caller, recorder, name, "first", firstHalf, report: true, tolerateFailures: true, until: null, cancellationToken).ConfigureAwait(false);
                failover = null;
                if (settings.Failover)
                {
                    progress.Update(name + ": SENTINEL FAILOVER…");
                    var startedAt = clock.Elapsed;
                    var switching = sentinels.FailoverAsync(cancellationToken);
                    var during = await DemoChains.RunAsync(settings, progress, caller, recorder, name, "during", chains: null, report: true, tolerateFailures: true, until: switching, cancellationToken).ConfigureAwait(false);
                    failover = new DemoFailover(firstHalf, startedAt, await switching.ConfigureAwait(false), during);
                }

                await DemoChains.RunAsync(settings, progress, caller, recorder, name, "second", settings.Chains - firstHalf, report: true, tolerateFailures: true, until: null, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stopLag.CancelAsync().ConfigureAwait(false);
                await lag.ConfigureAwait(false);
            }

            recorder.Recording = false;
            var reads = app.Client.Statistics.Since(statistics);
            var after = await sentinels.PrimaryAsync(cancellationToken).ConfigureAwait(false);
            progress.Update(name + ": checking which acknowledged writes the primary still holds…");
            var lost = await LostWritesAsync(app.Client.PrimaryConnection, after, recorder.Writes, cancellationToken).ConfigureAwait(false);
            return recorder.Result(name, mode, reads, lost, new DemoPrimaryChange(before, after, failover));
        }
    }

    /// <summary>Waits until the client has at least one replica connected, so the run does not start on the primary alone.</summary>
    private static async Task WaitForReplicasAsync(RywClient client, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!client.Replicas.Members.Any(m => m.Node is { IsConnected: true }) && clock.Elapsed < ReplicasTimeout)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The chains whose acknowledged write <paramref name="primary"/> (the primary after the failover) does not hold.
    /// Waits first until the connection has switched to it, so the old primary (which may still hold writes it is
    /// about to discard) is never asked.
    /// </summary>
    private static async Task<IReadOnlySet<string>> LostWritesAsync(
        IConnectionMultiplexer connection, string primary, IReadOnlyDictionary<string, string> writes, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!FollowsPrimary(connection, primary) && clock.Elapsed < ReplicasTimeout)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        var lost = new HashSet<string>(StringComparer.Ordinal);

        // Asked of that server itself: the connection's view of roles may still lag behind the switch.
        var server = connection.GetServer(primary);
        foreach (var chunk in writes.Chunk(500))
        {
            var values = await ReadOnPrimaryAsync(server, [.. chunk.Select(w => (object)(string)DemoApp.OrderKey(w.Key)!)], clock, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (values[i] != chunk[i].Value)
                {
                    lost.Add(chunk[i].Key);
                }
            }
        }

        return lost;
    }

    /// <summary><c>MGET</c> on the final primary, retried while its connection is still switching over.</summary>
    private static async Task<RedisValue[]> ReadOnPrimaryAsync(IServer server, object[] keys, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return (RedisValue[]?)await server.ExecuteAsync("MGET", keys).ConfigureAwait(false) ?? [];
            }
            catch (RedisException) when (clock.Elapsed < ReplicasTimeout * 2)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool FollowsPrimary(IConnectionMultiplexer connection, string primary)
    {
        var masters = connection.GetEndPoints()
            .Select(e => connection.GetServer(e))
            .Where(s => s.IsConnected && !s.IsReplica)
            .Select(s => s.EndPoint.ToString())
            .ToArray();
        return masters.Length == 1 && masters[0] == primary;
    }
}
