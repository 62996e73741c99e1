using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real primary and one replica on 127.0.0.1 that replicates through a proxy delaying the stream by 200 ms: every
/// replica read right after a write is stale unless something makes it wait.
/// </summary>
public sealed class LaggedReplicaFixture : IAsyncLifetime
{
    public static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(200);

    private readonly List<IConnectionMultiplexer> _connections = [];

    public LocalReplicaSet Servers { get; private set; } = null!;

    public string PrimaryEndPoint => Servers.Primary.EndPoint;

    public string LaggedReplicaEndPoint => Servers.Replicas[0].EndPoint;

    public async Task InitializeAsync() =>
        Servers = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: Lag);

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        await Servers.DisposeAsync();
    }

    public IConnectionMultiplexer Connect(string endPoint)
    {
        var options = ConfigurationOptions.Parse(endPoint);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        var connection = ConnectionMultiplexer.Connect(options);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>A client (one per simulated service) whose only replica is the lagging one, so every replica read meets the lag.</summary>
    public RywClient CreateClient(RywOptions? options = null) =>
        new(Connect(PrimaryEndPoint), [Connect(LaggedReplicaEndPoint)], options);

    /// <summary>A token for a write old enough that the replica has it: what a caller carries from an earlier hop.</summary>
    public async Task<RywToken> CreateReplicatedTokenAsync(RywClient client)
    {
        var session = client.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync("replicated-marker", Guid.NewGuid().ToString("N")));
        var token = await session.GetTokenAsync();
        await Servers.WaitForReplicasInSyncAsync();
        return token;
    }
}

[CollectionDefinition(Name)]
public sealed class LaggedReplicaTests : ICollectionFixture<LaggedReplicaFixture>
{
    public const string Name = "lagged replica set";
}
