using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// The servers and connections of one bench run: a local primary and ONE replica that replicates through a
/// delaying proxy, so every replica read meets the injected lag (with a second, prompt replica the lag would
/// only hit some reads and the numbers would depend on round-robin luck).
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly List<ConnectionMultiplexer> _connections = [];
    private readonly List<IDatabase> _waitConnections = [];

    private BenchCluster(LocalReplicaSet servers) => Servers = servers;

    public LocalReplicaSet Servers { get; }

    /// <summary>The primary: writes, primary reads, and the raw write baseline.</summary>
    public IConnectionMultiplexer Primary { get; private set; } = null!;

    /// <summary>The lagged replica: routed reads and the raw replica read baseline share this connection.</summary>
    public IConnectionMultiplexer Replica { get; private set; } = null!;

    /// <summary>A separate connection to the replica for the oracle's look-ups, so they never queue behind routed reads.</summary>
    public IDatabase Oracle { get; private set; } = null!;

    public string RedisVersion { get; private set; } = "?";

    public static async Task<BenchCluster> StartAsync(string? redisServerPath, CancellationToken cancellationToken)
    {
        var servers = await LocalReplicaSet.StartAsync(
            new LocalReplicaSetOptions
            {
                Replicas = 1,
                LaggedReplicaDelay = TimeSpan.Zero,
                Server = new RedisServerOptions { ExecutablePath = redisServerPath },
            },
            cancellationToken).ConfigureAwait(false);
        var cluster = new BenchCluster(servers);
        try
        {
            cluster.Primary = await cluster.ConnectAsync(servers.Primary.EndPoint).ConfigureAwait(false);
            cluster.Replica = await cluster.ConnectAsync(servers.Replicas[0].EndPoint).ConfigureAwait(false);
            cluster.Oracle = (await cluster.ConnectAsync(servers.Replicas[0].EndPoint).ConfigureAwait(false)).GetDatabase();
            var info = await RespClient.ExecuteAsync(servers.Primary.EndPoint, ["INFO", "server"], cancellationToken).ConfigureAwait(false);
            cluster.RedisVersion = RedisInfo.Parse(info).GetValueOrDefault("redis_version", "?");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A client of the given mode over the shared connections (it does not own them).</summary>
    public RywClient CreateClient(RywMode mode, TimeSpan waitBudget) =>
        new(Primary, [Replica], new RywOptions { Mode = mode, WaitBudget = waitBudget });

    /// <summary>Sets the replica's lag and waits until it has caught up with everything written so far.</summary>
    public async Task SetLagAsync(TimeSpan lag, CancellationToken cancellationToken)
    {
        Servers.SetLag(lag);
        await Servers.WaitForReplicasInSyncAsync(null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One primary connection per session for WAIT: WAIT blocks the connection it is sent on, and a serverless
    /// invocation has its own; sharing one multiplexer would make every session queue behind every WAIT.
    /// </summary>
    public async Task<IReadOnlyList<IDatabase>> GetWaitConnectionsAsync(int count, TimeSpan waitTimeout)
    {
        while (_waitConnections.Count < count)
        {
            var connection = await ConnectAsync(Servers.Primary.EndPoint, waitTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            _waitConnections.Add(connection.GetDatabase());
        }

        return _waitConnections;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            connection.Dispose();
        }

        await Servers.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(string endPoint, TimeSpan? commandTimeout = null)
    {
        var connection = await RedisConnections.ConnectAsync(endPoint, commandTimeout).ConfigureAwait(false);
        _connections.Add(connection);
        return connection;
    }
}
