using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Faults;

/// <summary>
/// The primary hands over or stops while chains run (issue 11): Redis 7's coordinated <c>FAILOVER</c>, a
/// <c>SHUTDOWN</c> followed by a promotion, and <c>CLIENT PAUSE … WRITE</c> on a replica and on the primary. Each test
/// runs the toolkit's chains and, through the same fault at the same time, chains of a <see cref="RywMode.ReplicaUnsafe"/>
/// client over the same servers: the toolkit must read nothing stale while the control does, or the test proves nothing.
/// </summary>
public sealed class PrimaryHandoverTests(ITestOutputHelper output)
{
    internal static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };

    /// <summary>
    /// The bound, measured from the caller: the wait budget, two of the toolkit's own bounded calls (a primary
    /// probe and a replica probe with its read), and generous slack for two cores shared with other builds.
    /// </summary>
    internal static readonly TimeSpan Limit = Options.WaitBudget + (2 * Options.ReplicaTimeout) + TimeSpan.FromMilliseconds(600);

    [Fact]
    public async Task Workload_CoordinatedFailoverMidRun_NoStaleNothingLostAndReplicasServeAgain()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(40));
        var (oldPrimary, promoted, lagged) = (lab.Primary.EndPoint, lab.Replicas[1].EndPoint, lab.LaggedReplica.EndPoint);
        // Both endpoints in the primary connection, so StackExchange.Redis can find the new primary among them. The
        // old primary is listed as a replica too: the toolkit must skip it while it is primary and use it after.
        using var rig = HandoverRig.Wire(lab, $"{oldPrimary},{promoted}", [lagged, promoted, oldPrimary], "failover");
        var followed = "n/a";
        var clock = Stopwatch.StartNew();

        var run = await rig.RunThroughAsync(Limit, async () =>
        {
            await Task.Delay(800);
            var started = clock.Elapsed;
            await FaultLab.FailoverToAsync(oldPrimary, promoted, TimeSpan.FromSeconds(5));
            Figures.Record(output, nameof(Workload_CoordinatedFailoverMidRun_NoStaleNothingLostAndReplicasServeAgain), "failover_ms", (long)(clock.Elapsed - started).TotalMilliseconds);

            // What StackExchange.Redis does on its own once the chains' writes meet READONLY, before anyone reconfigures.
            var swapped = clock.Elapsed;
            var alone = await Eventually.WithinAsync(() => rig.PrimaryConnections.All(c => IsPrimary(c, promoted)), TimeSpan.FromSeconds(2));
            followed = alone ? $"by itself in {(clock.Elapsed - swapped).TotalMilliseconds:0} ms" : "not within 2 s: ConfigureAsync needed";
            await FaultLab.PointAtNewPrimaryAsync(rig.PrimaryConnections);
            await Task.Delay(1500);
        });

        // Coordinated failover loses nothing: every acknowledged value is on the new primary.
        var lost = await HandoverRig.LostAsync(promoted, rig.Workload.Lanes.Concat(rig.Control.Lanes));
        var after = await rig.Workload.RunAsync(rig.Client, Limit, hopsPerLane: 15);
        Report(nameof(Workload_CoordinatedFailoverMidRun_NoStaleNothingLostAndReplicasServeAgain), run, lost, after);
        Figures.Record(output, nameof(Workload_CoordinatedFailoverMidRun_NoStaleNothingLostAndReplicasServeAgain), "client_followed_new_primary", followed);

        AssertBounded(run);
        Assert.Equal(0, lost);
        Assert.Equal(0, run.On.Statistics[RywTokenRejection.ForeignHistory] + run.On.Statistics[RywTokenRejection.BeyondPrimary]);
        ReplicaFaultTests.AssertHealthy(after);
        Assert.True(after.Statistics.ReplicaReads > 0, $"reads go to replicas again after the switch: {after}");
        Assert.True(run.Off.StaleReads > 0, $"the control should read stale: {run.Off}");
    }

    [Fact]
    public Task Workload_PrimaryShutDownWithLaggingReplica_RedisWaitsForItNothingLostNoStaleRead() =>
        ShutDownAndPromoteAsync(nameof(Workload_PrimaryShutDownWithLaggingReplica_RedisWaitsForItNothingLostNoStaleRead), replicaStuck: false);

    [Fact]
    public Task Workload_PrimaryShutDownWithReplicaStuckBehind_LostWritesToldApartNoStaleRead() =>
        ShutDownAndPromoteAsync(nameof(Workload_PrimaryShutDownWithReplicaStuckBehind_LostWritesToldApartNoStaleRead), replicaStuck: true);

    [Fact]
    public async Task Workload_ReplicaWritesPausedMidRun_NoStaleReadAndEveryCallBounded()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(40));
        using var rig = HandoverRig.Wire(lab, lab.Primary.EndPoint, [lab.LaggedReplica.EndPoint, lab.Replicas[1].EndPoint], "replica-pause");

        var run = await rig.RunThroughAsync(Limit, async () =>
        {
            await Task.Delay(600);
            await FaultLab.PauseWritesAsync(lab.Replicas[1].EndPoint, TimeSpan.FromMilliseconds(1500)); // the prompt one
            await Task.Delay(1700);
            await FaultLab.PauseWritesAsync(lab.LaggedReplica.EndPoint, TimeSpan.FromMilliseconds(1500));
            await Task.Delay(1700);
        });

        Report(nameof(Workload_ReplicaWritesPausedMidRun_NoStaleReadAndEveryCallBounded), run, lost: 0, after: null);
        AssertBounded(run);
        ReplicaFaultTests.AssertHealthy(run.On);
        Assert.True(run.On.Statistics.ReplicaReads > 0, run.On.ToString());
        Assert.True(run.Off.StaleReads > 0, $"the control should read stale: {run.Off}");
    }

    [Fact]
    public async Task Workload_PrimaryWritesPausedMidRun_WritesWaitReadsAndExportsBounded()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(40));
        using var rig = HandoverRig.Wire(lab, lab.Primary.EndPoint, [lab.LaggedReplica.EndPoint, lab.Replicas[1].EndPoint], "primary-pause");
        var pausedWrite = TimeSpan.Zero;
        var pause = TimeSpan.FromMilliseconds(1000); // below the connections' 2 s timeout: writes wait, they do not fail

        var run = await rig.RunThroughAsync(Limit, async () =>
        {
            await Task.Delay(600);
            await FaultLab.PauseWritesAsync(lab.Primary.EndPoint, pause);
            var clock = Stopwatch.StartNew();
            await rig.PrimaryConnections[0].GetDatabase().StringSetAsync("pause:evidence", 1);
            pausedWrite = clock.Elapsed; // shows the pause held writes
            await Task.Delay(1500);
        });

        Report(nameof(Workload_PrimaryWritesPausedMidRun_WritesWaitReadsAndExportsBounded), run, lost: 0, after: null);
        Figures.Record(output, nameof(Workload_PrimaryWritesPausedMidRun_WritesWaitReadsAndExportsBounded), "paused_write_ms", (long)pausedWrite.TotalMilliseconds);
        Assert.True(pausedWrite > pause / 2, $"the pause should have held a write: {pausedWrite}");
        AssertBounded(run);
        ReplicaFaultTests.AssertHealthy(run.On);
        // Exports made while a write pause holds the shared connection come out incomplete (bounded, counted): see
        // docs/failure-behaviour.md, "Known limits"; here the watch's figures record how many.
        Assert.True(run.Off.StaleReads > 0, $"the control should read stale: {run.Off}");
    }

    /// <summary>
    /// SHUTDOWN with a lagging replica: Redis 7 pauses writes and waits up to <c>shutdown-timeout</c> for replicas
    /// to catch up. Then the lagging replica is promoted and the other moved under it.
    /// </summary>
    /// <remarks>
    /// With <paramref name="replicaStuck"/> the promoted replica receives nothing more from some point on, so the
    /// wait times out and the primary exits with writes that replica never got: they are lost, not stale. The ground
    /// truth is corrected while the primary is still up with its writes paused (no write can be acknowledged any
    /// more, and every acknowledged one is known): each lane's floor drops to what the promoted replica holds, and
    /// the difference is counted as lost. Every read is checked against that floor, and every new write (values
    /// above anything lost) raises it again.
    /// </remarks>
    private async Task ShutDownAndPromoteAsync(string test, bool replicaStuck)
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(150));
        var (oldPrimary, promoted, follower) = (lab.Primary.EndPoint, lab.LaggedReplica.EndPoint, lab.Replicas[1].EndPoint);
        await RespClient.ExecuteAsync(oldPrimary, "CONFIG", "SET", "shutdown-timeout", "3");
        using var rig = HandoverRig.Wire(lab, $"{oldPrimary},{promoted}", [promoted, follower], replicaStuck ? "shutdown-stuck" : "shutdown");
        var lanes = rig.Workload.Lanes.Concat(rig.Control.Lanes).ToArray();
        long lost = 0;
        var outage = TimeSpan.Zero;

        var run = await rig.RunThroughAsync(Limit, async () =>
        {
            await Task.Delay(800);
            if (replicaStuck)
            {
                lab.Servers.SetLag(TimeSpan.FromHours(1)); // what is queued still arrives; nothing sent from now on does
                await Task.Delay(500);
            }

            var clock = Stopwatch.StartNew();
            var shutdown = FaultLab.ShutdownAsync(oldPrimary, "NOSAVE");
            if (replicaStuck)
            {
                await Task.Delay(700); // writes are paused now; captures of the last acknowledged ones are bounded
                Assert.True(lab.Primary.IsRunning, "the primary should still wait for its replica");
                lost = await HandoverRig.ForgiveLostAsync(promoted, lanes);
            }

            await shutdown;
            await Eventually.TrueAsync(() => !lab.Primary.IsRunning, TimeSpan.FromSeconds(10), "the primary to exit");
            outage = clock.Elapsed;
            await Task.Delay(400); // any capture still in flight has given up
            lost += await HandoverRig.ForgiveLostAsync(promoted, lanes);
            await Task.Delay(300); // an operator or Sentinel takes a moment

            await FaultLab.PromoteAsync(promoted);
            var followerLink = lab.Own(DelayingTcpProxy.Start(promoted, TimeSpan.FromMilliseconds(40))); // the control's stale source
            await FaultLab.ReplicaOfAsync(follower, followerLink.EndPoint);
            await FaultLab.PointAtNewPrimaryAsync(rig.PrimaryConnections);
            await Task.Delay(1500);
        });

        await FaultLab.WaitForOffsetAsync(follower, (await FaultLab.PositionAsync(promoted)).Offset);
        var after = await rig.Workload.RunAsync(rig.Client, Limit, hopsPerLane: 15);
        Report(test, run, lost, after);
        Figures.Record(output, test, "shutdown_to_exit_ms", (long)outage.TotalMilliseconds);

        AssertBounded(run, pauseOutlastsTimeout: replicaStuck);
        if (replicaStuck)
        {
            Assert.True(lost > 0, "the stuck replica should have missed acknowledged writes");
            Assert.True(outage >= TimeSpan.FromSeconds(2), $"Redis should have waited for the replica: {outage}");
        }
        else
        {
            Assert.Equal(0, lost); // Redis 7 waited for the lagging replica before exiting
        }

        ReplicaFaultTests.AssertHealthy(after);
        Assert.True(after.Statistics.ReplicaReads > 0, $"reads go to replicas again: {after}");
        Assert.True(run.Off.StaleReads > 0, $"the control should read stale: {run.Off}");
    }

    private static bool IsPrimary(IConnectionMultiplexer connection, string endPoint)
    {
        var server = connection.GetServer(endPoint);
        return server.IsConnected && !server.IsReplica;
    }

    /// <summary>The assertions every handover makes of the toolkit's chains and of the calls timed beside them.</summary>
    /// <param name="run">What the run saw.</param>
    /// <param name="pauseOutlastsTimeout">Redis pauses writes longer than the connections' 2 s timeout: a read the
    /// toolkit sends to the primary then queues behind a paused write and fails with StackExchange.Redis's timeout
    /// (docs/failure-behaviour.md, "Known limits"). Such failed reads are counted as figures; answered reads must still be bounded.</param>
    private static void AssertBounded(HandoverRun run, bool pauseOutlastsTimeout = false)
    {
        Assert.True(run.On.Reads > 0, "the workload ran");
        Assert.True(run.On.StaleReads == 0, $"stale reads on data not lost: {run.On}");
        Assert.True(run.On.ToolkitExceptions == 0, $"exceptions from the toolkit: {run.On}");
        Assert.True(run.On.MaxRead <= Limit, $"answered reads beyond {Limit.TotalMilliseconds} ms: {run.On}");
        Assert.True(pauseOutlastsTimeout || run.On.SlowReads == 0, $"reads beyond {Limit.TotalMilliseconds} ms: {run.On}");
        // The watch's calls must not throw or hang; a few may exceed the bound while a write pause holds the shared
        // primary connection (docs/failure-behaviour.md, "Known limits"), so that count is a figure, not an assertion here.
        Assert.True(run.Watch.ToolkitExceptions == 0 && run.Watch.Hung == 0, $"calls timed beside the chains: {run.Watch}");
    }

    private void Report(string test, HandoverRun run, long lost, WorkloadResult? after)
    {
        Figures.Workload(output, test, run.On);
        Figures.Record(output, test, "stale_reads_toolkit_off", run.Off.StaleReads);
        Figures.Record(output, test, "reads_toolkit_off", run.Off.Reads);
        Figures.Record(output, test, "lost_writes", lost);
        Figures.Record(output, test, "redis_failures", run.On.RedisFailures);
        Figures.Record(output, test, "reads_over_bound", run.On.SlowReads);
        Figures.Record(output, test, "toolkit_exceptions", run.On.ToolkitExceptions + run.Watch.ToolkitExceptions);
        var slowest = Max(run.On.MaxRead, run.On.MaxFailedRead, run.Watch.Slowest);
        Figures.Record(output, test, "slowest_read_vs_bound_ms", $"{slowest.TotalMilliseconds:0.0} / {Limit.TotalMilliseconds:0}");
        var hungReads = Max(run.On.MaxRead, run.On.MaxFailedRead) > HandoverRig.Hung ? 1 : 0; // the chains time reads only
        Figures.Record(output, test, "hung_calls", run.Watch.Hung + hungReads);
        Figures.Record(output, test, "watch_calls_over_bound", run.Watch.OverLimit);
        Figures.Record(output, test, "watch_incomplete_exports", run.Watch.IncompleteExports);
        Figures.Record(output, test, "watch", run.Watch.ToString());
        if (after is not null)
        {
            Figures.Workload(output, test + "/after", after);
        }
    }

    private static TimeSpan Max(params TimeSpan[] spans) => spans.Max();
}

/// <summary>What one run through a handover saw: the toolkit's chains, the control's, and the calls timed beside them.</summary>
internal sealed record HandoverRun(WorkloadResult On, WorkloadResult Off, CallWatch Watch);

/// <summary>The toolkit's client and chains, and a <see cref="RywMode.ReplicaUnsafe"/> control over the same servers.</summary>
internal sealed class HandoverRig(RywClient client, ChainWorkload workload, RywClient unsafeClient, ChainWorkload control, IConnectionMultiplexer[] primaries) : IDisposable
{
    /// <summary>A call slower than this counts as hung.</summary>
    public static readonly TimeSpan Hung = TimeSpan.FromSeconds(10);

    public RywClient Client => client;

    public ChainWorkload Workload => workload;

    public ChainWorkload Control => control;

    /// <summary>Both clients' primary connections: whoever plays Sentinel re-points both.</summary>
    public IConnectionMultiplexer[] PrimaryConnections => primaries;

    /// <summary>
    /// Fail-fast primary connections (as in <see cref="TopologyFaultTests"/>): with a dead primary, calls fail the
    /// StackExchange.Redis way at once instead of queueing for its timeout, which the toolkit does not add to.
    /// </summary>
    public static HandoverRig Wire(FaultLab lab, string primary, string[] replicas, string name)
    {
        var primaries = new[] { lab.Connect(primary, backlog: BacklogPolicy.FailFast), lab.Connect(primary, backlog: BacklogPolicy.FailFast) };
        var client = new RywClient(primaries[0], replicas.Select(r => lab.Connect(r)).ToArray(), PrimaryHandoverTests.Options);
        var unsafeOptions = new RywOptions { Mode = RywMode.ReplicaUnsafe, ReplicaTimeout = PrimaryHandoverTests.Options.ReplicaTimeout };
        var unsafeClient = new RywClient(primaries[1], replicas.Select(r => lab.Connect(r)).ToArray(), unsafeOptions);
        return new HandoverRig(client, new ChainWorkload(name, lanes: 6), unsafeClient, new ChainWorkload(name + "-off", lanes: 3), primaries);
    }

    /// <summary>Runs both workloads and the call watch until <paramref name="fault"/> is done; a hang fails here, not in CI.</summary>
    public async Task<HandoverRun> RunThroughAsync(TimeSpan limit, Func<Task> fault)
    {
        using var stop = new CancellationTokenSource();
        var on = workload.RunAsync(client, limit, stop: stop.Token);
        var off = control.RunAsync(unsafeClient, limit, stop: stop.Token);
        var watch = Task.Run(() => CallWatch.RunAsync(client, workload, limit, stop.Token), CancellationToken.None);
        try
        {
            await fault();
        }
        finally
        {
            await stop.CancelAsync();
        }

        var results = await Task.WhenAll(on, off).WaitAsync(TimeSpan.FromSeconds(60));
        return new HandoverRun(results[0], results[1], await watch.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>How many acknowledged values <paramref name="endPoint"/> lacks (0 when it holds every lane's last one).</summary>
    public static async Task<long> LostAsync(string endPoint, IEnumerable<ChainLane> lanes)
    {
        var list = lanes.ToArray();
        var held = await FaultLab.LaneValuesAsync(endPoint, list);
        return list.Sum(l => Math.Max(0, l.Acknowledged - held[(string)l.Key!]));
    }

    /// <summary>
    /// Lowers each lane's floor to what <paramref name="endPoint"/> (the replica to be promoted) holds and returns how
    /// many acknowledged values that forgives: each lane writes 1, 2, 3, … and every write above the replica's value
    /// was acknowledged while the primary was healthy, so the difference is the number of lost writes.
    /// </summary>
    public static async Task<long> ForgiveLostAsync(string endPoint, ChainLane[] lanes)
    {
        var held = await FaultLab.LaneValuesAsync(endPoint, lanes);
        long lost = 0;
        foreach (var lane in lanes)
        {
            var survived = held[(string)lane.Key!];
            if (lane.Acknowledged > survived)
            {
                lost += lane.Acknowledged - survived;
                lane.Acknowledged = survived;
            }
        }

        return lost;
    }

    public void Dispose()
    {
        client.Dispose();
        unsafeClient.Dispose();
    }
}

/// <summary>
/// Times the toolkit's calls from the caller beside the chains (which time reads only): a fresh session from each
/// lane's carried token reads the lane's key, announces a write and exports, as an invocation would.
/// </summary>
internal sealed class CallWatch
{
    public long Calls { get; private set; }

    public long OverLimit { get; private set; }

    public long Hung { get; private set; }

    public long ToolkitExceptions { get; private set; }

    public long RedisFailures { get; private set; }

    /// <summary>Exports that had to be sent marked incomplete because the capture probe did not answer in time.</summary>
    public long IncompleteExports { get; private set; }

    public TimeSpan Slowest { get; private set; }

    public static async Task<CallWatch> RunAsync(RywClient client, ChainWorkload workload, TimeSpan limit, CancellationToken stop)
    {
        var watch = new CallWatch();
        while (!stop.IsCancellationRequested)
        {
            foreach (var lane in workload.Lanes)
            {
                var session = client.CreateSession(lane.Carried);
                await watch.TimeAsync(limit, () => session.ReadAsync(db => db.StringGetAsync(lane.Key)).AsTask());
                session.MarkWritten();
                await watch.TimeAsync(limit, async () => watch.IncompleteExports += (await session.GetTokenAsync()).IsOverflowed ? 1 : 0);
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return watch;
    }

    private async Task TimeAsync(TimeSpan limit, Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await call();
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException or RedisServerException)
        {
            RedisFailures++;
        }
        catch (Exception)
        {
            ToolkitExceptions++;
        }

        var elapsed = clock.Elapsed;
        Calls++;
        Slowest = elapsed > Slowest ? elapsed : Slowest;
        OverLimit += elapsed > limit ? 1 : 0;
        Hung += elapsed > HandoverRig.Hung ? 1 : 0;
    }

    public override string ToString() =>
        $"calls={Calls} overLimit={OverLimit} hung={Hung} toolkitExceptions={ToolkitExceptions} redisFailures={RedisFailures} incompleteExports={IncompleteExports} slowest={Slowest.TotalMilliseconds:0.0}ms";
}
