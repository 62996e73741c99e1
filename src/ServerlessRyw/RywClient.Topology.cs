using ServerlessRyw.Topology;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywClient
{
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
    private ConfigurationOptions DiscoveredReplicaConfiguration(string endPoint)
    {
        var configuration = ConfigurationOptions.Parse(PrimaryConnection.Configuration);
        configuration.EndPoints.Clear();
        configuration.EndPoints.Add(endPoint);
        configuration.ServiceName = null;
        configuration.CommandMap = CommandMap.Default;
        return ReplicaConfiguration(configuration);
    }

    private void DisposeTopology()
    {
        _discovery?.Dispose();
        _membership?.Dispose();
    }
}
