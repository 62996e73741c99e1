using ServerlessRyw.LocalRedis;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests;

/// <summary>
/// A read that needs the primary while the application's connection sees only replicas (the primary died and nothing
/// is promoted yet): StackExchange.Redis routes a command without flags to a replica then.
/// </summary>
public sealed class RywSessionPrimaryDownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReadAsync_PrimaryDownReplicaBehindTheToken_FailsInsteadOfReadingTheReplica()
    {
        await using var servers = await LocalReplicaSet.StartAsync(1, laggedReplicaDelay: TimeSpan.FromMilliseconds(1));
        var primaryEndPoint = servers.Primary.EndPoint;
        var replicaEndPoint = servers.Replicas[0].EndPoint;

        // The application's connection knows both servers, as a Sentinel-aware or multi-endpoint configuration does.
        var options = ConfigurationOptions.Parse($"{primaryEndPoint},{replicaEndPoint}");
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        using var application = await ConnectionMultiplexer.ConnectAsync(options);
        using var replica = await ConnectionMultiplexer.ConnectAsync(replicaEndPoint);
        using var client = new RywClient(application, [replica], new RywOptions { ReplicaTimeout = TimeSpan.FromMilliseconds(250) });
        RedisKey key = $"primary-down:{Guid.NewGuid():N}";
        await application.GetDatabase().StringSetAsync(key, "old");
        await servers.WaitForReplicasInSyncAsync();

        // The write reaches the primary only: the replica's link lags 5 s, and the primary dies right after.
        servers.SetLag(TimeSpan.FromSeconds(5));
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "new"));
        var token = await writer.ExportAsync();
        servers.Primary.Kill();
        Assert.True(await Eventually.WithinAsync(() => !application.GetServer(primaryEndPoint).IsConnected, TimeSpan.FromSeconds(3)), "the application's connection saw the primary go");

        // Toolkit off: the application's connection sends the read to the replica, which lacks the write.
        var raw = await application.GetDatabase().StringGetAsync(key);

        Exception? failure = null;
        RedisValue routed = default;
        try
        {
            routed = await client.CreateSession(token).ReadAsync(db => db.StringGetAsync(key));
        }
        catch (RedisConnectionException exception)
        {
            failure = exception;
        }

        output.WriteLine($"raw read: {raw}; toolkit read: {(failure is null ? routed.ToString() : failure.Message)}; {client.Statistics}");
        Assert.Equal("old", raw);
        Assert.NotNull(failure);
    }
}
