using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// The toolkit's own connection to one cluster replica, shared process-wide and opened in the background.
/// </summary>
/// <remarks>
/// <para>Reads go through this connection rather than the application's cluster multiplexer because a probe only
/// vouches for a read sent after it on the same connection to the same server. With the cluster multiplexer,
/// <c>CommandFlags.DemandReplica</c> picks a replica per command (round robin in StackExchange.Redis 2.x, and any
/// server when the slot's replicas are unavailable), so the probe and the read could reach different servers.</para>
/// <para>The connection is deliberately not in cluster mode (<c>CLUSTER</c> and <c>INFO</c> are removed from its
/// command map, so StackExchange.Redis neither discovers the other nodes nor follows redirects): every batch starts
/// with <c>READONLY</c>, and a key the replica does not serve comes back as a <c>MOVED</c> error, which the session
/// treats as "read the primary". The server, not the toolkit's topology, decides whether it may serve the key.</para>
/// </remarks>
internal sealed class ClusterReplica : IReplicaSlot, IDisposable
{
    // Without INFO and CLUSTER the client stays out of cluster mode; without the subscribe commands it opens one
    // socket instead of two (checked with StackExchange.Redis 1.2.6 and 2.6.96).
    private static readonly CommandMap ReplicaCommands = CommandMap.Create(
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "INFO", "CLUSTER", "CONFIG", "SENTINEL", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE" },
        available: false);

    private RedisNode? _node;
    private int _disposed;

    private ClusterReplica(string endPoint) => EndPoint = endPoint;

    public string EndPoint { get; }

    /// <summary>The connection once established (it reconnects by itself afterwards); <see langword="null"/> before.</summary>
    public RedisNode? Node => Volatile.Read(ref _node);

    /// <summary>Completes when the first connection attempt has finished, successfully or not.</summary>
    public Task Connected { get; private set; } = Task.CompletedTask;

    /// <summary>Starts connecting to <paramref name="endPoint"/> with the application's cluster settings.</summary>
    public static ClusterReplica Open(string endPoint, string clusterConfiguration, Action<string, Exception> onFailure)
    {
        var replica = new ClusterReplica(endPoint);
        replica.Connected = replica.ConnectAsync(clusterConfiguration, onFailure);
        return replica;
    }

    /// <summary>The application's configuration (password, TLS, timeouts) pointed at one replica, outside cluster mode.</summary>
    internal static ConfigurationOptions Configure(string endPoint, string clusterConfiguration)
    {
        var options = ConfigurationOptions.Parse(clusterConfiguration);
        options.EndPoints.Clear();
        options.EndPoints.Add(endPoint);
        options.AbortOnConnectFail = false;
        options.TieBreaker = string.Empty;
        options.CommandMap = ReplicaCommands;

        // Without INFO the client cannot ask the server's version; every cluster server has scripting and EXISTS.
        options.DefaultVersion = new Version(3, 0);
        return options;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Volatile.Read(ref _node)?.Connection.Dispose();
        }
    }

    private async Task ConnectAsync(string clusterConfiguration, Action<string, Exception> onFailure)
    {
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(Configure(EndPoint, clusterConfiguration)).ConfigureAwait(false);
            Volatile.Write(ref _node, new RedisNode(connection));
            if (Volatile.Read(ref _disposed) != 0)
            {
                connection.Dispose();
            }
        }
        catch (Exception exception) when (exception is RedisException or ArgumentException or InvalidOperationException)
        {
            // Reads of this replica's shard go to its other replicas or the primary meanwhile.
            onFailure(EndPoint, exception);
        }
    }
}
