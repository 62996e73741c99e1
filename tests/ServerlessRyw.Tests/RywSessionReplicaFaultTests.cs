using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Tests;

[Collection(RedisServerTests.Name)]
public sealed class RywSessionReplicaFaultTests(ReplicaSetFixture servers)
{
    [Fact]
    public async Task ReadAsync_ReplicaHangs_ReadsPrimaryWithinReplicaTimeout()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        var options = new RywOptions { ReplicaTimeout = TimeSpan.FromMilliseconds(100), WaitBudget = TimeSpan.FromMilliseconds(50) };
        using var client = new RywClient(servers.Connect(servers.PrimaryEndPoint), [servers.Connect(servers.PromptReplicaEndPoint)], options);
        RedisKey key = $"hung:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        await servers.Servers.WaitForReplicasInSyncAsync();
        await writer.ReadAsync(db => db.StringGetAsync(key)); // the replica is now known to be caught up

        // Every client command on the replica now blocks for 2 s (StackExchange.Redis would wait 5 s).
        await RespClient.ExecuteAsync(servers.PromptReplicaEndPoint, "CLIENT", "PAUSE", "2000", "ALL");
        var clock = Stopwatch.StartNew();
        var value = await writer.ReadAsync(db => db.StringGetAsync(key));
        var elapsed = clock.Elapsed;
        await Task.Delay(2100); // let the pause end before other tests use this replica

        Assert.Equal("fresh", value);
        Assert.True(elapsed < TimeSpan.FromMilliseconds(100 + 300), $"took {elapsed}");
        Assert.Equal(1, client.Statistics[RywReadOutcome.PrimaryFallback]);
    }
}
