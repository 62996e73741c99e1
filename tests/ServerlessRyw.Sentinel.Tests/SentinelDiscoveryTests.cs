using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Sentinel.Tests.Infrastructure;
using ServerlessRyw.Topology;
using Xunit.Abstractions;

namespace ServerlessRyw.Sentinel.Tests;

/// <summary>Sentinel discovery against real sentinels; each test owns its set, since failovers change it.</summary>
public sealed class SentinelDiscoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RefreshAsync_PrimaryWithTwoReplicas_FindsPrimaryAndBothReplicas()
    {
        await using LocalSentinelSet set = await LocalSentinelSet.StartAsync(replicas: 2);
        using var discovery = new SentinelDiscovery(set.SentinelConfiguration);

        TopologySnapshot snapshot = await discovery.RefreshAsync();

        Assert.Equal(TopologyStatus.Current, snapshot.Status);
        Assert.Equal(set.Primary.EndPoint, snapshot.PrimaryEndPoint);
        Assert.Equal(set.Replicas.Select(r => r.EndPoint).Order(), snapshot.Replicas.Select(r => r.EndPoint).Order());
        Assert.Contains(snapshot.AnsweredBy, set.Sentinels.Select(s => s.EndPoint));
        Assert.All(snapshot.Replicas, r => Assert.Contains("slave", r.Flags, StringComparison.Ordinal));
        Assert.Equal(0, discovery.FailedRefreshCount);
    }

    [Fact]
    public async Task Changed_ManualFailover_ReportsNewPrimaryThenOldPrimaryAsReplica()
    {
        await using LocalSentinelSet set = await LocalSentinelSet.StartAsync(replicas: 2);
        using var discovery = new SentinelDiscovery(set.SentinelConfiguration, logger: new TestOutputLogger(output));
        using var changes = new ChangeRecorder(discovery);
        discovery.Start();
        TopologySnapshot before = (await changes.WaitForAsync(s => s.PrimaryEndPoint is not null, ChangeTimeout, "with a primary")).Snapshot;
        string oldPrimary = before.PrimaryEndPoint!;

        long failoverStarted = Stopwatch.GetTimestamp();
        RedisServerProcess promoted = await set.FailoverAsync();
        double sentinelsAgreedMs = Stopwatch.GetElapsedTime(failoverStarted).TotalMilliseconds;
        (long seenAt, TopologySnapshot after) = await changes.WaitForAsync(s => s.PrimaryEndPoint != oldPrimary, ChangeTimeout, "with a new primary");
        (long demotedAt, TopologySnapshot demoted) = await changes.WaitForAsync(
            s => s.PrimaryEndPoint == promoted.EndPoint && s.Replicas.Any(r => r.EndPoint == oldPrimary), ChangeTimeout, "listing the old primary as a replica");

        output.WriteLine($"SENTINEL FAILOVER -> sentinels agree: {sentinelsAgreedMs:0} ms; -> Changed with new primary: {Stopwatch.GetElapsedTime(failoverStarted, seenAt).TotalMilliseconds:0} ms; -> old primary listed as replica: {Stopwatch.GetElapsedTime(failoverStarted, demotedAt).TotalMilliseconds:0} ms");
        Assert.Equal(promoted.EndPoint, after.PrimaryEndPoint);
        Assert.True(after.ConfigEpoch > before.ConfigEpoch, $"epoch {before.ConfigEpoch} -> {after.ConfigEpoch}");
        Assert.DoesNotContain(demoted.Replicas, r => r.EndPoint == promoted.EndPoint);

        // Events, not the 5 s poll, should bring the change: well under one interval after the sentinels agreed.
        Assert.True(Stopwatch.GetElapsedTime(failoverStarted, seenAt) < TimeSpan.FromMilliseconds(sentinelsAgreedMs) + discovery.RefreshInterval,
            "the change arrived no earlier than the next poll");
        Assert.False(changes.SawConcurrentCalls);
    }

    [Fact]
    public async Task Changed_PrimaryKilled_ReportsPromotedReplica()
    {
        await using LocalSentinelSet set = await LocalSentinelSet.StartAsync(replicas: 2);
        using var discovery = new SentinelDiscovery(set.SentinelConfiguration);
        using var changes = new ChangeRecorder(discovery);
        discovery.Start();
        string oldPrimary = (await changes.WaitForAsync(s => s.PrimaryEndPoint is not null, ChangeTimeout, "with a primary")).Snapshot.PrimaryEndPoint!;

        long killed = Stopwatch.GetTimestamp();
        set.KillPrimary();
        (long seenAt, TopologySnapshot after) = await changes.WaitForAsync(s => s.PrimaryEndPoint != oldPrimary, ChangeTimeout, "with a promoted primary");
        RedisServerProcess promoted = await set.WaitForNewPrimaryAsync(oldPrimary);

        output.WriteLine($"primary SIGKILL -> Changed with promoted primary: {Stopwatch.GetElapsedTime(killed, seenAt).TotalMilliseconds:0} ms (down-after 1000 ms)");
        Assert.Equal(promoted.EndPoint, after.PrimaryEndPoint);
        Assert.DoesNotContain(after.Replicas, r => r.EndPoint == oldPrimary || r.EndPoint == promoted.EndPoint);
    }

    [Fact]
    public async Task Changed_ReplicaAddedThenRemoved_AppearsThenDisappears()
    {
        await using LocalSentinelSet set = await LocalSentinelSet.StartAsync(replicas: 1);
        using var discovery = new SentinelDiscovery(set.SentinelConfiguration);
        using var changes = new ChangeRecorder(discovery);
        discovery.Start();
        await changes.WaitForAsync(s => s.Replicas.Count == 1, ChangeTimeout, "with the first replica");

        long adding = Stopwatch.GetTimestamp();
        RedisServerProcess added = await set.AddReplicaAsync();
        (long addedAt, _) = await changes.WaitForAsync(s => s.Replicas.Any(r => r.EndPoint == added.EndPoint), ChangeTimeout, "with the added replica");

        int seen = changes.Count;
        long removing = Stopwatch.GetTimestamp();
        await set.RemoveReplicaAsync(added);
        (long removedAt, TopologySnapshot after) = await changes.WaitForAsync(
            s => s.Replicas.All(r => r.EndPoint != added.EndPoint), ChangeTimeout, "without the removed replica", seen);

        output.WriteLine($"replica start -> Changed lists it: {Stopwatch.GetElapsedTime(adding, addedAt).TotalMilliseconds:0} ms; replica stop -> Changed drops it: {Stopwatch.GetElapsedTime(removing, removedAt).TotalMilliseconds:0} ms");
        Assert.Equal(set.Primary.EndPoint, after.PrimaryEndPoint);
        Assert.Single(after.Replicas);
    }

    [Fact]
    public async Task RefreshAsync_SentinelsDown_ReturnsStaleSnapshotWithinTimeoutWithoutThrowing()
    {
        await using LocalSentinelSet set = await LocalSentinelSet.StartAsync(replicas: 1);
        using var discovery = new SentinelDiscovery(set.SentinelConfiguration, refreshTimeout: TimeSpan.FromSeconds(1));
        var failures = new List<TopologySnapshot>();
        discovery.RefreshFailed += failures.Add;
        TopologySnapshot known = await discovery.RefreshAsync();

        set.KillSentinels();
        var elapsed = Stopwatch.StartNew();
        TopologySnapshot stale = await discovery.RefreshAsync();
        elapsed.Stop();

        output.WriteLine($"RefreshAsync with every sentinel down: {elapsed.ElapsedMilliseconds} ms -> {stale.Status}: {stale.LastError}");
        Assert.Equal(TopologyStatus.Stale, stale.Status);
        Assert.True(stale.HasSameMembership(known));
        Assert.Equal(1, stale.ConsecutiveFailures);
        Assert.NotNull(stale.LastError);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(3), $"took {elapsed.Elapsed}");
        Assert.Equal(1, discovery.FailedRefreshCount);
        Assert.Single(failures);

        await set.RestartSentinelsAsync();
        TopologySnapshot recovered = await WaitForStatusAsync(discovery, TopologyStatus.Current);
        Assert.True(recovered.HasSameMembership(known));
    }

    [Fact]
    public async Task RefreshAsync_NoSentinelEverReachable_ReturnsUnknownWithinTimeout()
    {
        string configuration = $"127.0.0.1:{Loopback.UnusedPort()},127.0.0.1:{Loopback.UnusedPort()},serviceName=mymaster";
        using var discovery = new SentinelDiscovery(configuration, refreshTimeout: TimeSpan.FromMilliseconds(500));

        var elapsed = Stopwatch.StartNew();
        TopologySnapshot first = await discovery.RefreshAsync();
        TopologySnapshot second = await discovery.RefreshAsync();
        elapsed.Stop();

        Assert.Equal(TopologyStatus.Unknown, second.Status);
        Assert.Null(second.PrimaryEndPoint);
        Assert.Empty(second.Replicas);
        Assert.Equal(1, first.ConsecutiveFailures);
        Assert.Equal(2, second.ConsecutiveFailures);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(3), $"took {elapsed.Elapsed}");
    }

    [Fact]
    public async Task RefreshAsync_UnknownServiceName_FailsGracefully()
    {
        await using LocalSentinelSet set = await LocalSentinelSet.StartAsync(replicas: 0, new LocalSentinelSetOptions { Sentinels = 1, Quorum = 1 });
        string configuration = set.SentinelConfiguration.Replace("serviceName=mymaster", "serviceName=nosuch", StringComparison.Ordinal);
        using var discovery = new SentinelDiscovery(configuration);

        TopologySnapshot snapshot = await discovery.RefreshAsync();

        Assert.Equal(TopologyStatus.Unknown, snapshot.Status);
        Assert.Contains("nosuch", snapshot.LastError, StringComparison.Ordinal);
    }

    private static async Task<TopologySnapshot> WaitForStatusAsync(TopologyDiscovery discovery, TopologyStatus status)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            TopologySnapshot snapshot = await discovery.RefreshAsync();
            if (snapshot.Status == status || elapsed.Elapsed > ChangeTimeout)
            {
                Assert.Equal(status, snapshot.Status);
                return snapshot;
            }

            await Task.Delay(200);
        }
    }
}
