using System.Net;
using ServerlessRyw.Topology;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywClient
{
    /// <summary>Ends the client name of the toolkit's primary probe connection.</summary>
    internal const string ProbeConnectionNameSuffix = ".ryw-probe";

    private static readonly CommandMap ProbeOnlyCommands = CommandMap.Create(new HashSet<string> { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE" }, available: false);

    // Set once, when the client starts following a discovered topology; disposed with the client.
    private TopologyDiscovery? _discovery;
    private ReplicaMembership? _membership;

    /// <summary>Starts discovery when <paramref name="options"/> asks for it; optionally waits for the first answer.</summary>
    private async Task FollowTopologyAsync(RywTopologyOptions options, bool waitForFirst, CancellationToken cancellationToken)
    {
        if (!options.IsEnabled || TopologyDiscovery.Create(options, PrimaryConnection, Logger) is not { } discovery)
        {
            return;
        }

        var membership = new ReplicaMembership(Replicas, DiscoveredReplicaConfiguration, Logger);
        _discovery = discovery;
        _membership = membership;

        // Subscribed before the first refresh and Start, so no change is missed.
        discovery.Changed += membership.Apply;
        discovery.Start();
        if (waitForFirst)
        {
            membership.Apply(await discovery.RefreshAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// How the toolkit connects to a discovered replica: the primary connection's settings (password, TLS, timeouts)
    /// pointed at that one endpoint, not following Sentinel itself, failing fast while it is down.
    /// </summary>
    private ConfigurationOptions DiscoveredReplicaConfiguration(string endPoint) =>
        ReplicaConfiguration(PointedAt(EndPointCollection.TryParse(endPoint) ?? throw new ArgumentException($"Not an endpoint: '{endPoint}'.", nameof(endPoint))));

    /// <summary>
    /// How the toolkit connects to the primary for its probes: the same settings, that one endpoint, failing fast (the
    /// application's connection answers while this one is down), named so that <c>CLIENT LIST</c> tells it apart,
    /// without the tie-breaker read (only the application's connection elects a primary) and without pub/sub, so it is
    /// one server connection, not two.
    /// </summary>
    private ConfigurationOptions PrimaryProbeConfiguration(EndPoint endPoint)
    {
        var configuration = ReplicaConfiguration(PointedAt(endPoint));
        configuration.ClientName = (configuration.ClientName ?? "ServerlessRyw") + ProbeConnectionNameSuffix;
        configuration.TieBreaker = string.Empty;
        configuration.ConfigurationChannel = string.Empty;
        configuration.CommandMap = ProbeOnlyCommands;
        return configuration;
    }

    /// <summary>The primary connection's settings (password, TLS, timeouts) for one server, without Sentinel.</summary>
    private ConfigurationOptions PointedAt(EndPoint endPoint)
    {
        var configuration = ConfigurationOptions.Parse(PrimaryConnection.Configuration);
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(endPoint);
        configuration.ServiceName = null;
        configuration.CommandMap = CommandMap.Default;
        return configuration;
    }

    private void DisposeTopology()
    {
        _discovery?.Dispose();
        _membership?.Dispose();
    }
}
