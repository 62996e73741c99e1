using System.Globalization;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;

namespace ServerlessRyw.Reliability.Tests.Infrastructure;

/// <summary>
/// One test's own replica set (never shared, so a fault cannot leak into another test): a primary and replicas as
/// real redis-server processes, replica 0 behind a delaying proxy, plus the connections and clients the test made.
/// </summary>
public sealed class FaultLab : IAsyncDisposable
{
    private readonly List<IConnectionMultiplexer> _connections = [];
    private readonly List<IAsyncDisposable> _owned = [];

    private FaultLab(LocalReplicaSet servers) => Servers = servers;

    public LocalReplicaSet Servers { get; }

    public RedisServerProcess Primary => Servers.Primary;

    /// <summary>Replica 0: replicates through <see cref="LocalReplicaSet.LagProxy"/>.</summary>
    public RedisServerProcess LaggedReplica => Servers.Replicas[0];

    public IReadOnlyList<RedisServerProcess> Replicas => Servers.Replicas;

    /// <summary>Starts a primary and <paramref name="replicas"/> replicas; replica 0 lags by <paramref name="lag"/>.</summary>
    public static async Task<FaultLab> StartAsync(int replicas = 2, TimeSpan? lag = null)
    {
        var servers = await LocalReplicaSet.StartAsync(replicas, lag ?? TimeSpan.Zero);
        return new FaultLab(servers);
    }

    /// <summary>Sets replica 0's lag and, when asked, waits until every replica has caught up.</summary>
    public async Task SetLagAsync(TimeSpan lag, bool waitInSync = true)
    {
        Servers.SetLag(lag);
        if (waitInSync)
        {
            await Servers.WaitForReplicasInSyncAsync();
        }
    }

    /// <summary>
    /// A StackExchange.Redis connection as an application would configure it for a cloud Redis: it keeps retrying
    /// in the background (<c>abortConnect=false</c>) and gives up a connect attempt after <paramref name="connectTimeoutMs"/>.
    /// </summary>
    /// <summary>A connection as an application would open it; <paramref name="backlog"/> as StackExchange.Redis defines it.</summary>
    public IConnectionMultiplexer Connect(string endPoints, int connectTimeoutMs = 1000, BacklogPolicy? backlog = null)
    {
        var options = ConfigurationOptions.Parse(endPoints);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = backlog ?? BacklogPolicy.Default;
        options.ConnectTimeout = connectTimeoutMs;
        options.SyncTimeout = 2000;
        var connection = ConnectionMultiplexer.Connect(options);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>A client over new connections to the primary and the given replicas (default: all of them).</summary>
    public RywClient CreateClient(RywOptions? options = null, params string[] replicaEndPoints) =>
        CreateClient(options, BacklogPolicy.Default, replicaEndPoints);

    /// <summary>A client whose primary connection uses <paramref name="primaryBacklog"/>.</summary>
    public RywClient CreateClient(RywOptions? options, BacklogPolicy primaryBacklog, params string[] replicaEndPoints)
    {
        var replicas = replicaEndPoints.Length > 0 ? replicaEndPoints : Replicas.Select(r => r.EndPoint).ToArray();
        return new RywClient(Connect(Primary.EndPoint, backlog: primaryBacklog), replicas.Select(r => Connect(r)).ToArray(), options);
    }

    /// <summary>A proxy between the application and <paramref name="endPoint"/>, to cut or stall the client's own link.</summary>
    public DelayingTcpProxy StartClientProxy(string endPoint)
    {
        var proxy = DelayingTcpProxy.Start(endPoint, TimeSpan.Zero, delayBothDirections: true);
        lock (_owned)
        {
            _owned.Add(proxy);
        }

        return proxy;
    }

    /// <summary>Registers something for disposal with the lab (servers, proxies the test started itself).</summary>
    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }

    /// <summary>Makes <paramref name="replica"/> follow <paramref name="upstream"/> (<c>REPLICAOF host port</c>).</summary>
    public static Task<string?> ReplicaOfAsync(string replica, string upstream)
    {
        var (host, port) = Split(upstream);
        return RespClient.ExecuteAsync(replica, "REPLICAOF", host, port);
    }

    /// <summary>Promotes a replica to primary (<c>REPLICAOF NO ONE</c>).</summary>
    public static Task<string?> PromoteAsync(string replica) => RespClient.ExecuteAsync(replica, "REPLICAOF", "NO", "ONE");

    /// <summary>A server's <c>INFO replication</c> fields.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReplicationInfoAsync(string endPoint) =>
        RedisInfo.Parse(await RespClient.ExecuteAsync(endPoint, "INFO", "replication"));

    /// <summary>A server's replication id and offset (<c>master_replid</c>, <c>master_repl_offset</c>).</summary>
    public static async Task<(string Id, long Offset)> PositionAsync(string endPoint)
    {
        var info = await ReplicationInfoAsync(endPoint);
        return (info["master_replid"], long.Parse(info["master_repl_offset"], CultureInfo.InvariantCulture));
    }

    /// <summary>Waits until <paramref name="replica"/> reports its link up and has processed <paramref name="offset"/>.</summary>
    public static async Task WaitForOffsetAsync(string replica, long offset, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(async () =>
        {
            var info = await ReplicationInfoAsync(replica);
            return info.GetValueOrDefault("master_link_status") == "up"
                && long.TryParse(info.GetValueOrDefault("slave_repl_offset"), CultureInfo.InvariantCulture, out var at)
                && at >= offset;
        }, timeout ?? TimeSpan.FromSeconds(15), $"{replica} to reach offset {offset}");
    }

    /// <summary>
    /// Redis 7's coordinated failover to <paramref name="target"/> (<c>FAILOVER TO host port TIMEOUT ms</c>): the
    /// primary pauses writes itself, waits for the target to catch up, then the two swap roles. Returns once both
    /// report their new roles with the link up.
    /// </summary>
    public static async Task FailoverToAsync(string primary, string target, TimeSpan timeout)
    {
        var (host, port) = Split(target);
        await RespClient.ExecuteAsync(primary, "FAILOVER", "TO", host, port, "TIMEOUT", ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(async () =>
        {
            var promoted = await ReplicationInfoAsync(target);
            var demoted = await ReplicationInfoAsync(primary);
            return promoted["role"] == "master" && demoted["role"] == "slave" && demoted.GetValueOrDefault("master_link_status") == "up";
        }, timeout + TimeSpan.FromSeconds(10), $"{target} to take over from {primary}");
    }

    /// <summary>
    /// Sends <c>SHUTDOWN</c> with <paramref name="flags"/>. A server that exits closes the connection instead of
    /// answering, so only an error reply (the shutdown was refused) is thrown.
    /// </summary>
    public static async Task ShutdownAsync(string endPoint, params string[] flags)
    {
        try
        {
            await RespClient.ExecuteAsync(endPoint, ["SHUTDOWN", .. flags]);
        }
        catch (Exception exception) when (exception is not RedisErrorReplyException)
        {
            // The connection closed under the reply: the server went away, as asked.
        }
    }

    /// <summary><c>CLIENT PAUSE ms WRITE</c>: write commands from clients wait; reads and no-writes scripts go on.</summary>
    public static Task<string?> PauseWritesAsync(string endPoint, TimeSpan pause) =>
        RespClient.ExecuteAsync(endPoint, "CLIENT", "PAUSE", ((long)pause.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), "WRITE");

    /// <summary>What Sentinel or a cloud's DNS switch does for the application: each connection finds the new primary.</summary>
    public static async Task PointAtNewPrimaryAsync(IEnumerable<IConnectionMultiplexer> connections, TimeSpan? timeout = null)
    {
        foreach (var connection in connections)
        {
            await Eventually.TrueAsync(async () =>
            {
                await connection.ConfigureAsync();
                await connection.GetDatabase().StringSetAsync("failover:check", 1); // READONLY until it writes to the new primary
                return true;
            }, timeout ?? TimeSpan.FromSeconds(15), "the connection to write to the new primary");
        }
    }

    /// <summary>Each lane's value as <paramref name="endPoint"/> holds it (0 when the key is missing), read over a raw connection.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> LaneValuesAsync(string endPoint, IEnumerable<ChainLane> lanes)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var lane in lanes)
        {
            var text = await RespClient.ExecuteAsync(endPoint, "GET", (string)lane.Key!);
            values[(string)lane.Key!] = text is null ? 0 : long.Parse(text, CultureInfo.InvariantCulture);
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await Servers.DisposeAsync();
    }

    private static (string Host, string Port) Split(string endPoint)
    {
        var colon = endPoint.LastIndexOf(':');
        return (endPoint[..colon], endPoint[(colon + 1)..]);
    }
}
