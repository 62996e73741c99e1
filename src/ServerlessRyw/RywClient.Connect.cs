using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywClient
{
    /// <summary>
    /// Connects to the primary and replicas named in <paramref name="options"/> and owns those connections. With
    /// <see cref="RywOptions.Topology"/> set, it also waits (at most <see cref="RywTopologyOptions.RefreshTimeout"/>)
    /// for the first discovery, and follows the topology afterwards.
    /// </summary>
    /// <param name="options">Must name <see cref="RywOptions.Primary"/> or a Sentinel (<c>Topology.Sentinel</c>, whose
    /// connection then follows the primary through failovers); replicas are optional.</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="cancellationToken">Stops waiting for the connections.</param>
    /// <returns>A connected client; dispose it to close the connections.</returns>
    public static async Task<RywClient> ConnectAsync(
        RywOptions options,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var primary = !string.IsNullOrWhiteSpace(options.Primary) ? options.Primary : options.Topology.Sentinel;
        if (string.IsNullOrWhiteSpace(primary))
        {
            throw new ArgumentException($"{nameof(RywOptions.Primary)} (or {nameof(RywOptions.Topology)}.{nameof(RywTopologyOptions.Sentinel)}) is required to connect.", nameof(options));
        }

        // A Sentinel configuration string (serviceName=...) makes StackExchange.Redis connect to, and follow, the primary.
        var connecting = new[] { ConfigurationOptions.Parse(primary) }.Concat(options.Replicas.Select(ReplicaConfiguration))
            .Select(configuration => ConnectionMultiplexer.ConnectAsync(configuration))
            .ToArray();
        try
        {
            await Task.WhenAll(connecting).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var task in connecting)
            {
                _ = task.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }

            throw;
        }

        var connections = connecting.Select(t => (IConnectionMultiplexer)t.Result).ToArray();
        var client = new RywClient(connections[0], connections[1..], options, loggerFactory, meterFactory, connections, forCluster: false);
        try
        {
            await client.FollowTopologyAsync(options.Topology, waitForFirst: true, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a client over an existing primary connection (which the caller keeps owning) and connects to the
    /// replicas named in <paramref name="options"/> (which the client owns).
    /// </summary>
    /// <param name="primary">The application's existing primary connection.</param>
    /// <param name="options">Routing options and replica configuration strings.</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="meterFactory">Creates the meter.</param>
    /// <returns>The client; dispose it to close the replica connections.</returns>
    public static RywClient Create(
        IConnectionMultiplexer primary,
        RywOptions options,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(options);
        var replicas = options.Replicas.Select(c => (IConnectionMultiplexer)ConnectionMultiplexer.Connect(ReplicaConfiguration(c))).ToArray();
        var client = new RywClient(primary, replicas, options, loggerFactory, meterFactory, replicas, forCluster: false);

        // Synchronous factory: discovery starts in the background; reads use the fixed replicas or the primary until then.
        _ = client.FollowTopologyAsync(options.Topology, waitForFirst: false, CancellationToken.None);
        return client;
    }

    /// <summary>
    /// A replica that is down when the process starts must not stop it: reads go elsewhere until the connection
    /// comes up, which StackExchange.Redis keeps retrying in the background. And a read must not queue behind a
    /// replica that is down (StackExchange.Redis 2.x's default backlog holds commands for up to its timeout): there
    /// is always another server to read from, so commands to a disconnected replica fail at once.
    /// </summary>
    private static ConfigurationOptions ReplicaConfiguration(string configuration) => ReplicaConfiguration(ConfigurationOptions.Parse(configuration));

    private static ConfigurationOptions ReplicaConfiguration(ConfigurationOptions parsed)
    {
        parsed.AbortOnConnectFail = false;
        parsed.BacklogPolicy = BacklogPolicy.FailFast;
        return parsed;
    }
}
