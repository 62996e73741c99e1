using ServerlessRyw.Cluster.Tests.Infrastructure;
using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.Cluster.Tests;

[Collection(ClusterTests.Name)]
public sealed class RywClientClusterTests(ClusterFixture fixture)
{
    [Fact]
    public void ForCluster_OptionsNameReplicas_Throws()
    {
        var options = new RywOptions { Replicas = { "127.0.0.1:1" } };

        var error = Assert.Throws<ArgumentException>(() => RywClient.ForCluster(fixture.Connect(), options));

        Assert.Contains("discovered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectClusterAsync_Cluster_IsClusterAndKnowsEveryReplica()
    {
        using var client = await RywClient.ConnectClusterAsync(fixture.Connect());

        Assert.True(client.IsCluster);
        var snapshot = client.Cluster!.Current!;
        Assert.Equal(3, snapshot.Shards.Count);
        Assert.All(snapshot.Shards, static s => Assert.True(Assert.Single(s.Replicas).Node?.IsConnected));
    }

    [Fact]
    public async Task ConnectClusterAsync_StandaloneServer_ThrowsInvalidOperation()
    {
        await using var server = await RedisServerProcess.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);

        await Assert.ThrowsAsync<InvalidOperationException>(() => RywClient.ConnectClusterAsync(connection));
    }

    [Fact]
    public async Task KeyedOverloads_SinglePrimaryClient_BehaveLikeKeyless()
    {
        await using var server = await RedisServerProcess.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        using var client = new RywClient(connection, []);
        RedisKey key = "single:keyed";
        var session = client.CreateSession();

        await session.WriteAsync(key, db => db.StringSetAsync(key, "v"));
        var value = await client.CreateSession(await session.ExportAsync()).ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags));

        Assert.False(client.IsCluster);
        Assert.Equal("v", value);
        Assert.Single(session.Token.Positions.ToArray());
        Assert.Equal(1, client.Statistics.Writes);
    }
}
