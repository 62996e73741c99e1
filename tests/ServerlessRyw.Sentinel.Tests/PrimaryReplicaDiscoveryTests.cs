using System.Globalization;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Sentinel.Tests.Infrastructure;
using ServerlessRyw.Topology;
using StackExchange.Redis;

namespace ServerlessRyw.Sentinel.Tests;

/// <summary>Replica discovery from the primary's INFO replication, against a real replica set.</summary>
public sealed class PrimaryReplicaDiscoveryTests : IAsyncLifetime
{
    private LocalReplicaSet _set = null!;
    private ConnectionMultiplexer _primary = null!;

    public async Task InitializeAsync()
    {
        _set = await LocalReplicaSet.StartAsync(replicas: 2);
        _primary = await ConnectionMultiplexer.ConnectAsync(_set.Primary.EndPoint);
    }

    public async Task DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _set.DisposeAsync();
    }

    [Fact]
    public async Task RefreshAsync_NoAllowList_ProposesEveryOnlineReplica()
    {
        using var discovery = new PrimaryReplicaDiscovery(_primary);

        TopologySnapshot snapshot = await discovery.RefreshAsync();

        Assert.Equal(TopologyStatus.Current, snapshot.Status);
        Assert.Equal(TopologySource.Primary, snapshot.Source);
        Assert.Equal(_set.Primary.EndPoint, snapshot.PrimaryEndPoint);
        Assert.Equal(_set.Replicas.Select(r => r.EndPoint).Order(), snapshot.Replicas.Select(r => r.EndPoint).Order());
        Assert.All(snapshot.Replicas, r => Assert.True(r.ReplicationOffset >= 0));
    }

    [Fact]
    public async Task RefreshAsync_AllowList_ProposesOnlyAllowedReplicas()
    {
        string allowed = _set.Replicas[1].EndPoint;
        using var discovery = new PrimaryReplicaDiscovery(_primary, new EndPointAllowList([allowed, "127.0.0.1:1"]));

        TopologySnapshot snapshot = await discovery.RefreshAsync();

        Assert.Equal(allowed, Assert.Single(snapshot.Replicas).EndPoint);
    }

    [Fact]
    public async Task RefreshAsync_HostMap_ProposesMappedEndPoints()
    {
        // The replicas announce 127.0.0.1; pretend that is an internal address reachable as "localhost".
        RedisServerProcess replica = _set.Replicas[0];
        var options = new RywTopologyOptions { DiscoverReplicas = true };
        options.ReplicaHostMap["127.0.0.1"] = "localhost";
        options.AllowedReplicaEndPoints.Add($"localhost:{replica.Port.ToString(CultureInfo.InvariantCulture)}");
        using TopologyDiscovery discovery = TopologyDiscovery.Create(options, _primary)!;

        TopologySnapshot snapshot = await discovery.RefreshAsync();

        Assert.IsType<PrimaryReplicaDiscovery>(discovery);
        Assert.Equal($"localhost:{replica.Port}", Assert.Single(snapshot.Replicas).EndPoint);
    }

    [Fact]
    public async Task RefreshAsync_ConnectionAnsweredByReplica_KeepsLastKnownWithoutThrowing()
    {
        // A multiplexer that only knows a replica: DemandMaster has no server to send the script to.
        await using ConnectionMultiplexer replicaOnly = await ConnectionMultiplexer.ConnectAsync(_set.Replicas[0].EndPoint);
        using var discovery = new PrimaryReplicaDiscovery(replicaOnly, refreshTimeout: TimeSpan.FromSeconds(1));

        TopologySnapshot snapshot = await discovery.RefreshAsync();

        Assert.Equal(TopologyStatus.Unknown, snapshot.Status);
        Assert.Empty(snapshot.Replicas);
        Assert.NotNull(snapshot.LastError);
        Assert.Equal(1, discovery.FailedRefreshCount);
    }

    [Fact]
    public async Task Changed_ReplicaAttachedAtRuntime_AppearsOnNextPoll()
    {
        using var discovery = new PrimaryReplicaDiscovery(_primary, refreshInterval: TimeSpan.FromMilliseconds(200));
        using var changes = new ChangeRecorder(discovery);
        discovery.Start();
        await changes.WaitForAsync(s => s.Replicas.Count == 2, TimeSpan.FromSeconds(10), "with the two replicas");

        await using RedisServerProcess extra = await RedisServerProcess.StartAsync(new RedisServerOptions
        {
            ExtraArguments = ["--replicaof", "127.0.0.1", _set.Primary.Port.ToString(CultureInfo.InvariantCulture)],
        });
        TopologySnapshot grown = (await changes.WaitForAsync(s => s.Replicas.Count == 3, TimeSpan.FromSeconds(15), "with the third replica")).Snapshot;
        Assert.Contains(grown.Replicas, r => r.EndPoint == extra.EndPoint);

        int seen = changes.Count;
        await extra.DisposeAsync();
        TopologySnapshot shrunk = (await changes.WaitForAsync(s => s.Replicas.Count == 2, TimeSpan.FromSeconds(15), "without the stopped replica", seen)).Snapshot;
        Assert.DoesNotContain(shrunk.Replicas, r => r.EndPoint == extra.EndPoint);
        Assert.False(changes.SawConcurrentCalls);
    }
}
