using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Faults;

/// <summary>
/// Topology changes: a replica promoted with the old primary demoted, a primary restart that starts a new history,
/// and Redis that cannot be reached. Tokens from an old history must be handled as DESIGN.md says: honoured while the
/// new history continues it (up to <c>second_repl_offset</c>), otherwise counted and corrected, never obeyed into a
/// permanent fallback.
/// </summary>
public sealed class TopologyFaultTests(ITestOutputHelper output)
{
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };
    private static readonly TimeSpan Limit = ReadBudget.For(Options);

    [Fact]
    public async Task Workload_ReplicaPromotedAndOldPrimaryDemoted_OldHistoryTokensHonouredOnReplicas()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.Zero);
        var (oldPrimary, promoted, follower) = (lab.Primary.EndPoint, lab.Replicas[1].EndPoint, lab.Replicas[0].EndPoint);
        var primaryConnection = lab.Connect($"{oldPrimary},{promoted}");
        using var client = new RywClient(primaryConnection, [lab.Connect(follower), lab.Connect(promoted)], Options);
        var workload = new ChainWorkload("failover", lanes: 8);
        var before = await workload.RunAsync(client, Limit, hopsPerLane: 30);
        ReplicaFaultTests.AssertHealthy(before);
        var (oldId, _) = await FaultLab.PositionAsync(oldPrimary);
        var oldTokens = workload.Lanes.Select(l => (l.Key, l.Acknowledged, Token: l.Carried)).ToArray();
        Assert.All(oldTokens, t => Assert.Contains(oldId, t.Token, StringComparison.Ordinal));

        await lab.Servers.WaitForReplicasInSyncAsync();
        await FailoverAsync(lab, [primaryConnection], promoted, oldPrimary, follower, followerLag: TimeSpan.FromMilliseconds(30));
        var (newId, _) = await FaultLab.PositionAsync(promoted);
        Assert.NotEqual(oldId, newId);

        // The chains go on across the failover with the tokens they carried.
        var after = await workload.RunAsync(client, Limit, hopsPerLane: 30);
        Figures.Workload(output, nameof(Workload_ReplicaPromotedAndOldPrimaryDemoted_OldHistoryTokensHonouredOnReplicas), after);
        ReplicaFaultTests.AssertHealthy(after);
        Assert.True(after.Statistics.ReplicaReads > 0, after.ToString());
        Assert.Equal(0, after.Statistics[RywTokenRejection.ForeignHistory] + after.Statistics[RywTokenRejection.BeyondPrimary]);

        // Another process holding only pre-failover tokens: each is honoured by a replica of the new history.
        using var reader = new RywClient(lab.Connect(promoted), [lab.Connect(follower)], Options);
        foreach (var (key, acknowledged, token) in oldTokens)
        {
            var value = await reader.CreateSession(token).ReadAsync(db => db.StringGetAsync(key));
            Assert.True((long)value >= acknowledged, $"{key}: {value} < {acknowledged}");
        }

        Assert.Equal(oldTokens.Length, reader.Statistics.ReplicaReads);
        Assert.Equal(0, reader.Statistics[RywTokenRejection.ForeignHistory] + reader.Statistics[RywTokenRejection.BeyondPrimary]);
    }

    [Fact]
    public async Task ReadAsync_TokenOfWriteLostInFailover_AnotherProcessCountsItAnswersInBudgetAndIsNotPinned()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.Zero);
        var scene = await LoseAWriteInFailoverAsync(lab);
        var primaryConnection = lab.Connect($"{lab.Replicas[1].EndPoint},{lab.Primary.EndPoint}");
        using var reader = new RywClient(primaryConnection, [lab.Connect(lab.Replicas[0].EndPoint)], Options);

        await AssertCorrectedAndNotPinnedAsync(reader, scene);
    }

    [Fact]
    public async Task ReadAsync_TokenOfWriteLostInFailover_TheWritingProcessCountsItAndIsNotPinned()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.Zero);
        var scene = await LoseAWriteInFailoverAsync(lab);

        // The process that made the lost write saw the old primary reach its offset; it must not trust that memory.
        await AssertCorrectedAndNotPinnedAsync(scene.Writer, scene);
    }

    [Fact]
    public async Task Workload_PrimaryRestarted_OutageFailsTheStackExchangeWayAndOldTokensAreCorrected()
    {
        // The toolkit adds no wait of its own to a dead primary: with a fail-fast connection, calls fail at once
        // (with StackExchange.Redis 2.x's default backlog they would wait up to its timeout, as without the toolkit).
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(30));
        using var client = lab.CreateClient(Options, BacklogPolicy.FailFast);
        var workload = new ChainWorkload("primary-restart", lanes: 8);
        ReplicaFaultTests.AssertHealthy(await workload.RunAsync(client, Limit, hopsPerLane: 20));

        // The primary crashes. Reads the replicas can vouch for keep working; the rest fail as StackExchange.Redis fails.
        lab.Primary.Kill();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            var outage = await workload.RunAsync(client, Limit, stop: stop.Token).WaitAsync(TimeSpan.FromSeconds(60));
            Figures.Workload(output, nameof(Workload_PrimaryRestarted_OutageFailsTheStackExchangeWayAndOldTokensAreCorrected) + "/outage", outage);
            Assert.Equal(0, outage.StaleReads);
            Assert.Equal(0, outage.ToolkitExceptions);
            Assert.Equal(0, outage.SlowReads);
            Assert.True(outage.MaxFailedRead < Limit, $"failing reads must fail fast: {outage}");
            Assert.True(outage.RedisFailures > 0, "writes to a dead primary fail");
        }

        // It comes back empty, with a new replication history; the replicas resync (and so lose the data too).
        await lab.Primary.RestartAsync();
        await lab.Servers.WaitForReplicasInSyncAsync();
        await ReconnectedAsync(client);
        workload.ForgetData();

        var after = await workload.RunAsync(client, Limit, hopsPerLane: 20);
        Figures.Workload(output, nameof(Workload_PrimaryRestarted_OutageFailsTheStackExchangeWayAndOldTokensAreCorrected), after);
        ReplicaFaultTests.AssertHealthy(after);
        // Redis restarted from its replication RDB: a new history that continues the old one only up to the RDB's offset.
        var rejected = after.Statistics[RywTokenRejection.ForeignHistory] + after.Statistics[RywTokenRejection.BeyondPrimary];
        Assert.True(rejected >= workload.Lanes.Count, $"old-history tokens are counted: {after}");
        Assert.True(after.Statistics.ReplicaReads > 0, after.ToString());
    }

    /// <summary>
    /// Tokens minted before a primary restart keep arriving (a queue backlog, a browser's cookie) at a process that only
    /// reads. They name a history nobody has any more; the process must find that out, not wait out its budget forever.
    /// </summary>
    [Fact]
    public async Task ReadAsync_PrimaryRestarted_ReadOnlyProcessCorrectsOldTokensInsteadOfPinning()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        using var writer = lab.CreateClient(Options);
        using var reader = lab.CreateClient(Options);
        RedisKey key = $"backlog:{Guid.NewGuid():N}";
        var first = writer.CreateSession();
        await first.WriteAsync(db => db.StringSetAsync(key, "before"));
        var oldToken = await first.ExportAsync();
        await reader.CreateSession("not-a-token").ReadAsync(db => db.StringGetAsync(key)); // the reader has asked the primary once

        await lab.Primary.RestartAsync();
        await lab.Servers.WaitForReplicasInSyncAsync();
        await ReconnectedAsync(writer);
        await ReconnectedAsync(reader);
        var second = writer.CreateSession();
        await second.WriteAsync(db => db.StringSetAsync(key, "after"));
        await lab.Servers.WaitForReplicasInSyncAsync();
        Assert.Equal("after", await reader.CreateSession(await second.ExportAsync()).ReadAsync(db => db.StringGetAsync(key)));

        var stale = reader.CreateSession(oldToken);
        var (firstRead, firstTime, firstStats) = await TimedReadAsync(reader, stale, key);
        var (secondRead, _, secondStats) = await TimedReadAsync(reader, stale, key);
        output.WriteLine($"first: {firstTime.TotalMilliseconds:0.0} ms {firstStats}{Environment.NewLine}second: {secondStats}");

        Assert.Equal("after", firstRead);
        Assert.Equal("after", secondRead);
        Assert.True(firstTime < Limit);
        Assert.Equal(1, firstStats[RywTokenRejection.ForeignHistory] + firstStats[RywTokenRejection.BeyondPrimary]);
        Assert.Equal(1, secondStats.ReplicaReads);
    }

    [Fact]
    public async Task Workload_ReplicaBlackHoledFromTheStart_ReadsGoElsewhereWithinBudget()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.FromMilliseconds(20));
        var silent = lab.Own(new SilentServer());
        var clock = Stopwatch.StartNew();
        var blackHoled = lab.Connect(silent.EndPoint, connectTimeoutMs: 500);
        output.WriteLine($"connect to the black hole gave up after {clock.ElapsedMilliseconds} ms");
        Assert.False(blackHoled.IsConnected);
        using var client = new RywClient(lab.Connect(lab.Primary.EndPoint), [blackHoled, lab.Connect(lab.LaggedReplica.EndPoint)], Options);

        var result = await new ChainWorkload("blackhole", lanes: 6).RunAsync(client, Limit, hopsPerLane: 30);

        Figures.Workload(output, nameof(Workload_ReplicaBlackHoledFromTheStart_ReadsGoElsewhereWithinBudget), result);
        ReplicaFaultTests.AssertHealthy(result);
        Assert.True(result.Statistics.ReplicaReads > 0, result.ToString());
    }

    [Fact]
    public async Task ConnectAsync_ReplicaUnreachable_ClientStartsAndReadsTheOtherServers()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        var silent = lab.Own(new SilentServer());
        var options = new RywOptions
        {
            Primary = lab.Primary.EndPoint,
            Replicas = { lab.LaggedReplica.EndPoint, silent.EndPoint + ",connectTimeout=500" },
            WaitBudget = Options.WaitBudget,
        };

        // A replica that is down when the function app starts must not stop it from starting.
        var clock = Stopwatch.StartNew();
        var connecting = RywClient.ConnectAsync(options);
        var failure = await Record.ExceptionAsync(() => connecting.WaitAsync(TimeSpan.FromSeconds(10)));
        output.WriteLine($"ConnectAsync with an unreachable replica: {clock.ElapsedMilliseconds} ms, {failure?.GetType().Name}: {failure?.Message}");
        Assert.Null(failure);
        using var client = await connecting;

        var result = await new ChainWorkload("unreachable", lanes: 4).RunAsync(client, ReadBudget.For(options), hopsPerLane: 20);
        ReplicaFaultTests.AssertHealthy(result);
    }

    [Fact]
    public async Task ConnectAsync_PrimaryUnreachable_FailsWithinItsConnectTimeout()
    {
        await using var silent = new SilentServer();
        var options = new RywOptions { Primary = silent.EndPoint + ",connectTimeout=500" };

        var clock = Stopwatch.StartNew();
        var failure = await Record.ExceptionAsync(() => RywClient.ConnectAsync(options).WaitAsync(TimeSpan.FromSeconds(20)));
        output.WriteLine($"{clock.ElapsedMilliseconds} ms: {failure}");

        Assert.IsType<RedisConnectionException>(failure);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Workload_ReplicaPartitionedMidRun_EachAttemptBoundedThenReadsResume()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(20));
        var proxy = lab.StartClientProxy(lab.Replicas[1].EndPoint);
        using var client = new RywClient(lab.Connect(lab.Primary.EndPoint), [lab.Connect(proxy.EndPoint), lab.Connect(lab.LaggedReplica.EndPoint)], Options);
        var workload = new ChainWorkload("partition", lanes: 6);

        var result = await ReplicaFaultTests.RunThroughAsync(client, workload, async () =>
        {
            await Task.Delay(300);
            proxy.Delay = TimeSpan.FromMinutes(10); // silent partition: nothing comes back, nothing is closed
            await Task.Delay(1000);
            proxy.Paused = true;                    // then the link is refused outright
            proxy.CutConnections();
            await Task.Delay(700);
            proxy.Delay = TimeSpan.Zero;            // and heals
            proxy.Paused = false;
            await Task.Delay(1500);
        });

        Figures.Workload(output, nameof(Workload_ReplicaPartitionedMidRun_EachAttemptBoundedThenReadsResume), result);
        ReplicaFaultTests.AssertHealthy(result);
        Assert.True(result.Statistics.ProbeFailures > 0 || result.Statistics[RywReadOutcome.PrimaryFallback] > 0, result.ToString());
        var after = await workload.RunAsync(client, Limit, hopsPerLane: 10);
        ReplicaFaultTests.AssertHealthy(after);
        Assert.True(after.Statistics.ReplicaReads > 0, after.ToString());
    }

    [Fact]
    public async Task Workload_PrimaryUnreachableMidRun_CallsFailFastTheStackExchangeWayThenRecover()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(20));
        var proxy = lab.StartClientProxy(lab.Primary.EndPoint);
        using var client = new RywClient(lab.Connect(proxy.EndPoint, backlog: BacklogPolicy.FailFast), lab.Replicas.Select(r => lab.Connect(r.EndPoint)).ToArray(), Options);
        var workload = new ChainWorkload("primary-unreachable", lanes: 6);
        ReplicaFaultTests.AssertHealthy(await workload.RunAsync(client, Limit, hopsPerLane: 10));

        proxy.Delay = TimeSpan.FromMinutes(10); // reconnects hang in the handshake until their connect timeout
        proxy.CutConnections();
        WorkloadResult outage;
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5)))
        {
            outage = await workload.RunAsync(client, Limit, stop: stop.Token).WaitAsync(TimeSpan.FromSeconds(60));
        }

        Figures.Workload(output, nameof(Workload_PrimaryUnreachableMidRun_CallsFailFastTheStackExchangeWayThenRecover) + "/outage", outage);
        Assert.Equal(0, outage.StaleReads);
        Assert.Equal(0, outage.ToolkitExceptions);
        Assert.Equal(0, outage.SlowReads);
        Assert.True(outage.RedisFailures > 0, outage.ToString());
        Assert.True(outage.MaxFailedRead < Limit, $"failing reads must fail fast: {outage}");

        proxy.Delay = TimeSpan.Zero;
        proxy.CutConnections();
        await ReconnectedAsync(client);
        var after = await workload.RunAsync(client, Limit, hopsPerLane: 10);
        ReplicaFaultTests.AssertHealthy(after);
    }

    /// <summary>Waits until the client's primary connection answers again (StackExchange.Redis reconnects on its heartbeat).</summary>
    private static Task ReconnectedAsync(RywClient client) =>
        Eventually.TrueAsync(async () => await client.CreateSession().Primary.PingAsync() >= TimeSpan.Zero, TimeSpan.FromSeconds(10), "the primary connection to be back");

    private static async Task<(RedisValue Value, TimeSpan Elapsed, RywStatistics Stats)> TimedReadAsync(RywClient client, RywSession session, RedisKey key)
    {
        var before = client.Statistics;
        var clock = Stopwatch.StartNew();
        var value = await session.ReadAsync(db => db.StringGetAsync(key));
        return (value, clock.Elapsed, client.Statistics.Since(before));
    }

    /// <summary>
    /// Promotes replica 1, demotes the old primary under it and moves replica 0 under it (through a proxy with
    /// <paramref name="followerLag"/>), then points the applications' primary connections at the new primary.
    /// </summary>
    private static async Task FailoverAsync(
        FaultLab lab, IConnectionMultiplexer[] primaryConnections, string promoted, string oldPrimary, string follower, TimeSpan followerLag)
    {
        await FaultLab.PromoteAsync(promoted);
        await FaultLab.ReplicaOfAsync(oldPrimary, promoted);
        var followerLink = lab.Own(DelayingTcpProxy.Start(promoted, followerLag));
        await FaultLab.ReplicaOfAsync(follower, followerLink.EndPoint);
        await PointAtNewPrimaryAsync(primaryConnections);
        var (_, offset) = await FaultLab.PositionAsync(promoted);
        await FaultLab.WaitForOffsetAsync(oldPrimary, offset);
        await FaultLab.WaitForOffsetAsync(follower, offset);
    }

    /// <summary>What Sentinel or a cloud's DNS switch does for the application: its connection finds the new primary.</summary>
    private static async Task PointAtNewPrimaryAsync(IEnumerable<IConnectionMultiplexer> connections)
    {
        foreach (var connection in connections)
        {
            await Eventually.TrueAsync(async () =>
            {
                await connection.ConfigureAsync();
                await connection.GetDatabase().StringSetAsync("failover:check", 1); // READONLY until it writes to the new primary
                return true;
            }, TimeSpan.FromSeconds(15), "the connection to write to the new primary");
        }
    }

    /// <summary>
    /// A write the old primary acknowledged after the replica was promoted: the failover loses it, and its token names
    /// an offset the new history never reaches.
    /// </summary>
    private async Task<LostWriteScene> LoseAWriteInFailoverAsync(FaultLab lab)
    {
        var (oldPrimary, promoted, follower) = (lab.Primary.EndPoint, lab.Replicas[1].EndPoint, lab.Replicas[0].EndPoint);
        var writerPrimary = lab.Connect($"{oldPrimary},{promoted}");
        var writer = new RywClient(writerPrimary, [lab.Connect(follower)], Options);
        RedisKey key = $"lost:{Guid.NewGuid():N}";
        var kept = writer.CreateSession();
        await kept.WriteAsync(db => db.StringSetAsync(key, "kept"));
        await lab.Servers.WaitForReplicasInSyncAsync();

        await FaultLab.PromoteAsync(promoted);
        var (_, promotedAt) = await FaultLab.PositionAsync(promoted);
        var lost = writer.CreateSession(await kept.ExportAsync());
        await lost.WriteAsync(db => db.StringSetAsync(key, "lost")); // the old primary still accepts it: split brain
        var lostToken = await lost.ExportAsync();
        var (oldId, lostAt) = await FaultLab.PositionAsync(oldPrimary);
        Assert.True(lostAt > promotedAt);

        await FaultLab.ReplicaOfAsync(oldPrimary, promoted);
        await FaultLab.ReplicaOfAsync(follower, promoted);
        await PointAtNewPrimaryAsync([writerPrimary]);
        var (_, offset) = await FaultLab.PositionAsync(promoted);
        await FaultLab.WaitForOffsetAsync(oldPrimary, offset);
        await FaultLab.WaitForOffsetAsync(follower, offset);
        Assert.Equal("kept", await RespClient.ExecuteAsync(follower, "GET", (string)key!));
        output.WriteLine($"lost write token {lostToken} (old history {oldId} reached {lostAt}; promoted at {promotedAt})");
        return new LostWriteScene(writer, key, lostToken);
    }

    /// <summary>
    /// The lost write's token must be answered in budget, with what the surviving history holds; and it must not pin:
    /// once what the process remembers about the primary is older than <see cref="RywOptions.KnownPositionLifetime"/>
    /// (the engine's bound on trusting remembered positions), the token is checked, counted and corrected.
    /// </summary>
    private async Task AssertCorrectedAndNotPinnedAsync(RywClient client, LostWriteScene scene)
    {
        var session = client.CreateSession(scene.Token);
        var (first, firstTime, firstStats) = await TimedReadAsync(client, session, scene.Key);
        await Task.Delay(Options.KnownPositionLifetime + TimeSpan.FromMilliseconds(100));
        var (second, secondTime, secondStats) = await TimedReadAsync(client, session, scene.Key);
        var (third, _, thirdStats) = await TimedReadAsync(client, session, scene.Key);
        var stats = client.Statistics;
        output.WriteLine($"first: {firstTime.TotalMilliseconds:0.0} ms {firstStats}{Environment.NewLine}second: {secondTime.TotalMilliseconds:0.0} ms {secondStats}{Environment.NewLine}third: {thirdStats}");

        Assert.Equal("kept", first); // what the surviving history holds; the lost write is gone for everyone
        Assert.Equal("kept", second);
        Assert.Equal("kept", third);
        Assert.True(firstTime < Limit, $"took {firstTime}");
        Assert.True(secondTime < Limit, $"took {secondTime}");
        Assert.Equal(1, stats[RywTokenRejection.BeyondPrimary] + stats[RywTokenRejection.ForeignHistory]);
        Assert.Equal(1, thirdStats.ReplicaReads);
        scene.Writer.Dispose();
    }

    private sealed record LostWriteScene(RywClient Writer, RedisKey Key, string Token);
}
