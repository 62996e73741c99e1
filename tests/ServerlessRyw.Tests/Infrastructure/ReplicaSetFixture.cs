using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.Tests.Infrastructure;

/// <summary>
/// A real primary and two replicas on 127.0.0.1; replica 0 replicates through a delaying proxy whose lag each
/// test sets. Shared by every server test class in the <see cref="RedisServerTests"/>, which run one at a time.
/// </summary>
public sealed class ReplicaSetFixture : IAsyncLifetime
{
    private readonly List<IConnectionMultiplexer> _connections = [];

    public LocalReplicaSet Servers { get; private set; } = null!;

    public string PrimaryEndPoint => Servers.Primary.EndPoint;

    public string LaggedReplicaEndPoint => Servers.Replicas[0].EndPoint;

    public string PromptReplicaEndPoint => Servers.Replicas[1].EndPoint;

    public async Task InitializeAsync() =>
        Servers = await LocalReplicaSet.StartAsync(replicas: 2, laggedReplicaDelay: TimeSpan.Zero);

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

        // No periodic INFO/config checks: server-side command counts must come from the tests alone.
        options.ConfigCheckSeconds = 3600;
        var connection = ConnectionMultiplexer.Connect(options);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>A client whose only replica is the lagged one, so every replica read meets the lag.</summary>
    public RywClient CreateLaggedClient(RywOptions? options = null) =>
        new(Connect(PrimaryEndPoint), [Connect(LaggedReplicaEndPoint)], options);

    public async Task SetLagAsync(TimeSpan lag)
    {
        Servers.SetLag(lag);
        await Servers.WaitForReplicasInSyncAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisServerTests : ICollectionFixture<ReplicaSetFixture>
{
    public const string Name = "redis replica set";
}
