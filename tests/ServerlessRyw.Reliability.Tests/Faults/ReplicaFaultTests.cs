using ServerlessRyw.LocalRedis;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Faults;

/// <summary>
/// Replica faults while chains of invocations run: each test builds its own replica set, runs the ground-truth
/// workload through the fault, and asserts 0 stale reads, every read within budget, no exception from the toolkit,
/// and counters that show where the reads went. Each also shows the same setup reading stale without the toolkit.
/// </summary>
public sealed class ReplicaFaultTests(ITestOutputHelper output)
{
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };
    private static readonly TimeSpan Limit = ReadBudget.For(Options);

    [Fact]
    public async Task Workload_ReplicaKilledMidRun_NoStaleReadNoErrorAndReadsMoveOn()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(30));
        using var client = lab.CreateClient(Options);
        var workload = new ChainWorkload("kill", lanes: 8);

        var result = await RunThroughAsync(client, workload, async () =>
        {
            await Task.Delay(400);
            lab.Replicas[1].Kill(); // the prompt replica dies mid-run; only the lagged one is left
            await Task.Delay(1200);
        });

        Report(nameof(Workload_ReplicaKilledMidRun_NoStaleReadNoErrorAndReadsMoveOn), result);
        AssertHealthy(result);
        Assert.True(result.Statistics.ReplicaReads > 0, "replicas served reads before and after the kill");
        Assert.True(result.Statistics[RywReadOutcome.WaitedHit] + result.Statistics[RywReadOutcome.PrimaryFallback] > 0, "reads waited for the lagged replica or fell back");
        await AssertStaleWithoutToolkitAsync(lab);
    }

    [Fact]
    public async Task Workload_ReplicaRestartedWithFullResync_NoStaleReadAndReplicaServesAgain()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(30));
        using var client = lab.CreateClient(Options);
        var workload = new ChainWorkload("restart", lanes: 8);

        var result = await RunThroughAsync(client, workload, async () =>
        {
            await Task.Delay(300);
            await lab.Replicas[1].RestartAsync(); // no persistence: it comes back empty and fully resyncs
            await lab.Servers.WaitForReplicasInSyncAsync();
            await Task.Delay(300);
        });

        Report(nameof(Workload_ReplicaRestartedWithFullResync_NoStaleReadAndReplicaServesAgain), result);
        AssertHealthy(result);

        // After the resync the restarted replica serves reads again (no permanent fallback).
        using var afterwards = lab.CreateClient(Options, lab.Replicas[1].EndPoint);
        var after = await new ChainWorkload("restart-after", lanes: 4).RunAsync(afterwards, Limit, hopsPerLane: 25);
        AssertHealthy(after);
        Assert.True(after.Statistics.ReplicaReads > 0, after.ToString());
        await AssertStaleWithoutToolkitAsync(lab);
    }

    /// <summary>
    /// A replica that crashed comes back with an empty dataset and serves it (replica-serve-stale-data) until its full
    /// resync completes, which for a large dataset takes seconds. The client reconnects long before that.
    /// </summary>
    [Fact]
    public async Task ReadAsync_ReplicaRestartedAndNotYetResynced_NeverServesItsEmptyDataset()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        var replicaConnection = lab.Connect(lab.LaggedReplica.EndPoint);
        using var client = new RywClient(lab.Connect(lab.Primary.EndPoint), [replicaConnection], Options);
        var unsafeReplicaConnection = lab.Connect(lab.LaggedReplica.EndPoint);
        using var unsafeClient = new RywClient(lab.Connect(lab.Primary.EndPoint), [unsafeReplicaConnection], new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"resync:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "written"));
        var token = await writer.ExportAsync();
        await lab.Servers.WaitForReplicasInSyncAsync();
        Assert.Equal("written", await client.CreateSession(token).ReadAsync(db => db.StringGetAsync(key))); // replica known caught up
        Assert.Equal(1, client.Statistics.ReplicaReads);

        // The replica crashes and restarts; its resync is held back (the proxy it replicates through refuses).
        lab.Servers.LagProxy!.Paused = true;
        lab.Servers.LagProxy.CutConnections();
        await lab.LaggedReplica.RestartAsync();
        Assert.Null(await RespClient.ExecuteAsync(lab.LaggedReplica.EndPoint, "GET", (string)key!)); // it serves an empty dataset
        _ = await Eventually.WithinAsync(() => !replicaConnection.IsConnected, TimeSpan.FromSeconds(3)); // it may have reconnected already
        await Eventually.TrueAsync(() => replicaConnection.IsConnected && unsafeReplicaConnection.IsConnected, TimeSpan.FromSeconds(10), "the clients to reconnect to the replica");

        var before = client.Statistics;
        var value = await client.CreateSession(token).ReadAsync(db => db.StringGetAsync(key));
        var stats = client.Statistics.Since(before);
        output.WriteLine(stats.ToString());

        Assert.True((await unsafeClient.CreateSession(token).ReadAsync(db => db.StringGetAsync(key))).IsNull, "without the toolkit the empty replica answers");
        Assert.Equal("written", value);
    }

    [Fact]
    public async Task Workload_ReplicationLinkCut_OffsetUnknownReadsFallBackThenResume()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        using var client = lab.CreateClient(Options, lab.LaggedReplica.EndPoint);
        var workload = new ChainWorkload("linkcut", lanes: 6);
        string? roleDuringCut = null;

        var result = await RunThroughAsync(client, workload, async () =>
        {
            await Task.Delay(300);
            lab.Servers.LagProxy!.Paused = true;
            lab.Servers.LagProxy.CutConnections();
            await Eventually.TrueAsync(async () => (await FaultLab.ReplicationInfoAsync(lab.LaggedReplica.EndPoint))["master_link_status"] == "down", TimeSpan.FromSeconds(5), "the link to go down");
            roleDuringCut = await RespClient.ExecuteAsync(lab.LaggedReplica.EndPoint, "ROLE");
            await Task.Delay(800);
        });

        Report(nameof(Workload_ReplicationLinkCut_OffsetUnknownReadsFallBackThenResume), result);
        output.WriteLine($"ROLE during the cut: {roleDuringCut?.Replace('\n', ' ')}");
        Assert.EndsWith("-1", roleDuringCut?.Trim(), StringComparison.Ordinal); // the replica reports its offset as unknown
        AssertHealthy(result);
        Assert.True(result.Statistics[RywReadOutcome.PrimaryFallback] > 0, result.ToString());

        // The link heals: reads return to the replica.
        lab.Servers.LagProxy!.Paused = false;
        await lab.Servers.WaitForReplicasInSyncAsync();
        var after = await workload.RunAsync(client, Limit, hopsPerLane: 20);
        AssertHealthy(after);
        Assert.True(after.Statistics.ReplicaReads > 0, after.ToString());
        await AssertStaleWithoutToolkitAsync(lab);
    }

    [Fact]
    public async Task Workload_LagFarAboveBudget_EveryReadFallsBackWithinBudget()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        await lab.SetLagAsync(TimeSpan.FromSeconds(1.5), waitInSync: false);
        using var client = lab.CreateClient(Options, lab.LaggedReplica.EndPoint);
        var workload = new ChainWorkload("farlag", lanes: 8);

        var result = await workload.RunAsync(client, Limit, hopsPerLane: 6);

        Report(nameof(Workload_LagFarAboveBudget_EveryReadFallsBackWithinBudget), result);
        AssertHealthy(result);
        Assert.Equal(result.Reads, result.Statistics[RywReadOutcome.PrimaryFallback]);
        Assert.True(result.MaxRead >= Options.WaitBudget, "each read waited its budget first");
        await AssertStaleWithoutToolkitAsync(lab);
    }

    [Fact]
    public async Task Workload_FlappingLag_NoStaleReadAndBothRoutesUsed()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        using var client = lab.CreateClient(Options, lab.LaggedReplica.EndPoint);
        var workload = new ChainWorkload("flap", lanes: 8);

        var result = await RunThroughAsync(client, workload, async () =>
        {
            // Bursts of lag far above the budget between calm spells (the proxy delivers in order, so a calm spell
            // starts only once the burst's backlog has drained).
            for (var i = 0; i < 6; i++)
            {
                lab.Servers.SetLag(TimeSpan.FromMilliseconds(250));
                await Task.Delay(150);
                lab.Servers.SetLag(TimeSpan.Zero);
                await Task.Delay(450);
            }

            lab.Servers.SetLag(TimeSpan.Zero);
        });

        Report(nameof(Workload_FlappingLag_NoStaleReadAndBothRoutesUsed), result);
        AssertHealthy(result);
        Assert.True(result.Statistics.ReplicaReads > 0, result.ToString());
        Assert.True(result.Statistics[RywReadOutcome.PrimaryFallback] > 0, result.ToString());
        await AssertStaleWithoutToolkitAsync(lab);
    }

    internal static async Task<WorkloadResult> RunThroughAsync(RywClient client, ChainWorkload workload, Func<Task> fault)
    {
        using var stop = new CancellationTokenSource();
        var running = workload.RunAsync(client, Limit, stop: stop.Token);
        try
        {
            await fault();
        }
        finally
        {
            await stop.CancelAsync();
        }

        // A hang in the toolkit shows up here rather than as a stuck CI run.
        return await running.WaitAsync(TimeSpan.FromSeconds(60));
    }

    internal static void AssertHealthy(WorkloadResult result)
    {
        Assert.True(result.Reads > 0, "the workload ran");
        Assert.True(result.StaleReads == 0, $"stale reads: {result}");
        Assert.True(result.ToolkitExceptions == 0, $"exceptions from the toolkit: {result}");
        Assert.True(result.RedisFailures == 0, $"the primary was up, yet commands failed: {result}");
        Assert.True(result.SlowReads == 0, $"reads beyond {Limit.TotalMilliseconds} ms: {result}");
    }

    private void Report(string test, WorkloadResult result) => Figures.Workload(output, test, result);

    /// <summary>The same servers without the toolkit: reads from the lagged replica return old values.</summary>
    private static async Task AssertStaleWithoutToolkitAsync(FaultLab lab)
    {
        lab.Servers.LagProxy!.Paused = false;
        lab.Servers.SetLag(TimeSpan.FromMilliseconds(50));
        await FaultLab.WaitForOffsetAsync(lab.LaggedReplica.EndPoint, (await FaultLab.PositionAsync(lab.Primary.EndPoint)).Offset);
        using var unsafeClient = lab.CreateClient(new RywOptions { Mode = RywMode.ReplicaUnsafe }, lab.LaggedReplica.EndPoint);
        var control = await new ChainWorkload("control", lanes: 4).RunAsync(unsafeClient, TimeSpan.FromMinutes(1), hopsPerLane: 10);
        Assert.True(control.StaleReads > 0, $"the control should read stale: {control}");
    }
}
