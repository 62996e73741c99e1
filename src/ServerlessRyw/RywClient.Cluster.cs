using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywClient
{
    /// <summary>Whether this client routes for a Redis Cluster (one token position per shard written).</summary>
    public bool IsCluster => Cluster is not null;

    /// <summary>The cluster's topology and the toolkit's replica connections; <see langword="null"/> for a single primary.</summary>
    internal ClusterTopology? Cluster { get; }

    /// <summary>
    /// Creates a client for a Redis Cluster over the application's cluster connection (which the caller keeps
    /// owning). Shards and replicas are discovered from the cluster; the client opens and owns one connection per
    /// replica, in the background. Reads use the keyed session methods, for example
    /// <c>session.ReadAsync(key, (db, flags) =&gt; db.StringGetAsync(key, flags))</c>.
    /// </summary>
    /// <param name="cluster">The application's connection to the cluster; writes, probes and primary reads use it.</param>
    /// <param name="options">Routing options; <see cref="RywOptions.Primary"/> and <see cref="RywOptions.Replicas"/> must be empty.</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <returns>The client; until its first topology load and replica connections complete, reads go to the primaries.</returns>
    /// <exception cref="ArgumentException">The options are invalid, or name a primary or replicas.</exception>
    /// <remarks>Replica connections reuse <c>cluster.Configuration</c> (password, TLS, timeouts) with one endpoint each.</remarks>
    public static RywClient ForCluster(
        IConnectionMultiplexer cluster,
        RywOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (options is not null && (options.Replicas.Count > 0 || !string.IsNullOrWhiteSpace(options.Primary)))
        {
            throw new ArgumentException(
                $"With Redis Cluster the shards and their replicas are discovered; leave {nameof(RywOptions.Primary)} and {nameof(RywOptions.Replicas)} empty.",
                nameof(options));
        }

        return new RywClient(cluster, [], options, loggerFactory, meterFactory, [], forCluster: true);
    }

    /// <summary>
    /// Like <see cref="ForCluster"/>, but waits until the topology is known and the first connection attempt to
    /// every replica has finished, so the first reads can already use replicas.
    /// </summary>
    /// <param name="cluster">The application's connection to the cluster.</param>
    /// <param name="options">Routing options; <see cref="RywOptions.Primary"/> and <see cref="RywOptions.Replicas"/> must be empty.</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The client.</returns>
    /// <exception cref="InvalidOperationException">The connection does not lead to a Redis Cluster that answers <c>CLUSTER NODES</c>.</exception>
    public static async Task<RywClient> ConnectClusterAsync(
        IConnectionMultiplexer cluster,
        RywOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        var client = ForCluster(cluster, options, loggerFactory, meterFactory);
        try
        {
            if (await client.Cluster!.GetAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                throw new InvalidOperationException(
                    "The connection does not lead to a Redis Cluster that answers CLUSTER NODES (see the logged error).");
            }

            await client.Cluster.ReplicasConnectedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
