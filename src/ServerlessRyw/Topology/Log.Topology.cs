using Microsoft.Extensions.Logging;

namespace ServerlessRyw;

/// <summary>Topology discovery log messages (event ids 200-219).</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "{Source} topology changed: {Snapshot} (was {Previous}).")]
    public static partial void TopologyChanged(ILogger logger, Topology.TopologySource source, Topology.TopologySnapshot snapshot, Topology.TopologySnapshot previous);

    [LoggerMessage(201, LogLevel.Warning, "{Source} topology refresh failed ({Failures} in a row); keeping the last known topology.")]
    public static partial void TopologyRefreshFailed(ILogger logger, Topology.TopologySource source, int failures, Exception exception);

    [LoggerMessage(202, LogLevel.Debug, "Sentinel {Sentinel} did not answer about {Service}.")]
    public static partial void SentinelDidNotAnswer(ILogger logger, string sentinel, string service, Exception exception);

    [LoggerMessage(203, LogLevel.Debug, "Sentinel event {Channel} \"{Message}\"; refreshing the topology.")]
    public static partial void SentinelEvent(ILogger logger, string channel, string message);

    [LoggerMessage(204, LogLevel.Debug, "Could not subscribe to Sentinel events yet; polling until it works.")]
    public static partial void SentinelSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(205, LogLevel.Error, "A topology Changed or RefreshFailed handler threw; discovery goes on.")]
    public static partial void TopologyCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(206, LogLevel.Information, "Sentinels disagree about {Service}: using {Primary} (epoch {Epoch}) from {Sentinel} over {OtherPrimary} (epoch {OtherEpoch}).")]
    public static partial void SentinelsDisagree(ILogger logger, string service, string primary, long epoch, string sentinel, string otherPrimary, long otherEpoch);

    [LoggerMessage(207, LogLevel.Debug, "{Source} listed {Count} replicas that are down, not replicating, or not allowed; left out.")]
    public static partial void ReplicasLeftOut(ILogger logger, Topology.TopologySource source, int count);

    [LoggerMessage(208, LogLevel.Information, "Discovered replica {EndPoint} connected; it serves reads once a probe shows it on the token's history.")]
    public static partial void ReplicaJoined(ILogger logger, string endPoint);

    [LoggerMessage(209, LogLevel.Warning, "Could not connect to discovered replica {EndPoint}; reads use the other servers.")]
    public static partial void ReplicaConnectFailed(ILogger logger, string endPoint, Exception exception);
}
