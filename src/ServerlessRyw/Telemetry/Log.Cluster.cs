using Microsoft.Extensions.Logging;

namespace ServerlessRyw;

/// <summary>Redis Cluster log messages (event ids 100-119).</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Redis Cluster topology: {Shards} shards, {Replicas} replicas, epoch {Epoch}.")]
    public static partial void ClusterTopologyLoaded(ILogger logger, int shards, int replicas, long epoch);

    [LoggerMessage(101, LogLevel.Warning, "Could not read the Redis Cluster topology; reads go to the primaries until it can be read.")]
    public static partial void ClusterTopologyFailed(ILogger logger, Exception exception);

    [LoggerMessage(102, LogLevel.Warning, "Could not connect to cluster replica {Server}; its shard's reads use the other replicas or the primary.")]
    public static partial void ClusterReplicaConnectFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(103, LogLevel.Information, "A probe for the primary of shard {Shard} was answered by node {NodeId}: the topology changed; refreshing it.")]
    public static partial void ClusterUnexpectedNode(ILogger logger, string shard, string nodeId);

    [LoggerMessage(104, LogLevel.Information, "Replica {Server} redirected a read of slot {Slot} (slot moved or replica reassigned); read the primary and refreshing the topology.")]
    public static partial void ClusterRedirected(ILogger logger, string server, int slot);

    [LoggerMessage(105, LogLevel.Information, "A write to slot {Slot} was answered by node {NodeId}, not by the shard the topology names: the slot is migrating or moved; capturing every primary's position.")]
    public static partial void ClusterWriteElsewhere(ILogger logger, int slot, string nodeId);

    [LoggerMessage(106, LogLevel.Debug, "Replica {Server} does not have key of slot {Slot}; confirming on the primary (a slot migration may have moved it).")]
    public static partial void ClusterMissingKeyConfirmed(ILogger logger, string server, int slot);

    [LoggerMessage(107, LogLevel.Warning, "The session's token reached {MaxPositions} positions; reads now require each shard primary's current position.")]
    public static partial void ClusterTokenOverflowed(ILogger logger, int maxPositions);
}
