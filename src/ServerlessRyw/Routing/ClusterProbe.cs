using System.Globalization;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// The cluster variant of <see cref="ReplicationProbe"/>: besides <c>INFO replication</c> it returns which node
/// answered (<c>CLUSTER MYID</c>) and <c>CLUSTER INFO</c> (for the node's current epoch), so a reply that came from
/// another shard than the topology expected (a slot migration, a failover) is noticed. Scripts may call
/// <c>CLUSTER</c> and <c>INFO</c> without admin mode.
/// </summary>
internal static class ClusterProbe
{
    // Raw texts, parsed here: string matching in Lua costs the server several times more than returning the text
    // (see ReplicationProbe), and a replica's CPU is what read offload is for.
    // Flagged no-writes and sent as plain EVAL for the reasons given on ReplicationProbe.
    internal const string Script = "#!lua flags=no-writes\n" + LegacyScript;

    /// <summary>The same script for servers before Redis 7 (see <see cref="ProbeScript"/>).</summary>
    internal const string LegacyScript = "return { redis.call('INFO', 'replication'), redis.call('CLUSTER', 'MYID'), redis.call('CLUSTER', 'INFO') }";

    /// <summary>The whole topology as one node sees it (parsed by <see cref="ClusterNodesParser"/>), and its <c>CLUSTER INFO</c> (epoch).</summary>
    internal const string NodesScript = "return { redis.call('CLUSTER', 'NODES'), redis.call('CLUSTER', 'INFO') }";

    /// <summary>
    /// Sends the probe on <paramref name="database"/>. With <paramref name="key"/>, the cluster routes it like a
    /// command on that key (to the primary of its slot, following redirects as the write it follows did).
    /// </summary>
    public static Task<RedisResult> SendAsync(IDatabaseAsync database, ProbeScript script, RedisKey? key = null) =>
        database.ScriptEvaluateAsync(script.Source, key is { } k ? [k] : null, null, CommandFlags.NoScriptCache);

    /// <summary>
    /// Sends the probe towards the primary serving <paramref name="key"/>'s slot as a generic command with default
    /// flags rather than a script call: StackExchange.Redis treats <c>EVAL</c> (and anything flagged
    /// <c>DemandMaster</c>) as primary-only and refuses it client-side while its slot map still points at a primary
    /// that was just demoted. A generic command goes out, meets the demoted node's <c>MOVED</c> and follows it to the
    /// new primary, which also repairs the multiplexer's slot map. Callers check which node answered.
    /// </summary>
    public static Task<RedisResult> SendToPrimaryAsync(IDatabaseAsync database, ProbeScript script, RedisKey key) =>
        database.ExecuteAsync("EVAL", new object[] { script.Source, 1, key }, CommandFlags.None);

    /// <summary>Asks the node serving <paramref name="key"/>'s slot (any node when null) for <c>CLUSTER NODES</c>; see <see cref="SendToPrimaryAsync"/>.</summary>
    public static Task<RedisResult> SendNodesAsync(IDatabaseAsync database, RedisKey? key) =>
        database.ExecuteAsync("EVAL", key is { } k ? new object[] { NodesScript, 1, k } : new object[] { NodesScript, 0 }, CommandFlags.None);

    /// <summary>Reads a probe reply; <see langword="null"/> when it is not one.</summary>
    public static ClusterNodeState? Parse(RedisResult result)
    {
        RedisResult[]? fields;
        try
        {
            fields = (RedisResult[]?)result;
        }
        catch (InvalidCastException)
        {
            return null;
        }

        if (fields is null || fields.Length < 3
            || ReplicationProbe.ParseInfo((string?)fields[0]) is not { } state
            || (string?)fields[1] is not { Length: > 0 } nodeId)
        {
            return null;
        }

        return new ClusterNodeState(state, nodeId, ParseEpoch((string?)fields[2]));
    }

    /// <summary>The <c>cluster_current_epoch</c> field of <c>CLUSTER INFO</c>, or 0.</summary>
    internal static long ParseEpoch(string? clusterInfo)
    {
        const string Field = "cluster_current_epoch:";
        var at = clusterInfo?.IndexOf(Field, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return 0;
        }

        var digits = clusterInfo.AsSpan(at + Field.Length);
        var end = digits.IndexOfAnyExceptInRange('0', '9');
        _ = long.TryParse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch);
        return epoch;
    }
}

/// <summary>One node's answer to <see cref="ClusterProbe"/>.</summary>
/// <param name="Replication">Its replication position.</param>
/// <param name="NodeId">Its cluster node id.</param>
/// <param name="Epoch">Its <c>cluster_current_epoch</c>: grows with every failover and slot ownership change it has heard of.</param>
internal sealed record ClusterNodeState(ReplicationState Replication, string NodeId, long Epoch);
