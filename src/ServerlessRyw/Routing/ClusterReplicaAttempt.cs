using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// One probe-and-read of a waiting cluster read on one replica of the key's shard; reconciles the requirement with
/// the shard's primary once, and stops waiting when only the primary can tell (a redirect, a missing key).
/// </summary>
internal sealed class ClusterReplicaAttempt<T>(
    ClusterRouter router,
    ClusterCapture capture,
    RywSession session,
    ClusterTopology cluster,
    ClusterShard shard,
    RedisKey key,
    Func<IDatabaseAsync, CommandFlags, Task<T>> read,
    ReplicationPosition required)
    : IReplicaAttempt
{
    private ReplicationPosition _required = required;
    private bool _reconciled;
    private ReplicaRead<ClusterNodeState, T> _served;

    /// <summary>The served value, or the delegate's own error, now that the replica is known fresh.</summary>
    public T Result() => _served.Result();

    public async ValueTask<AttemptVerdict> TryAsync(RedisNode replica, CancellationToken cancellationToken)
    {
        var client = session.Client;
        var attempt = await ClusterReplicaReader.ReadAsync(client, replica, key, read, probe: true, verify: true, cluster.Script).ConfigureAwait(false);
        if (attempt.State is not { } state)
        {
            if (attempt.Status != ReplicaReadStatus.Redirected)
            {
                return AttemptVerdict.TryNext;
            }

            router.NoteUnusable(replica, key, attempt.Status);
            return AttemptVerdict.ReadPrimary;
        }

        replica.Observe(state.Replication, client.Policy.Time.GetTimestamp());
        NoteReplicaState(state);
        if (!_reconciled && !state.Replication.Covers(_required))
        {
            // Before waiting on it, make sure the shard's primary ever wrote that much (a forged or lost position must
            // not make every read of this shard wait).
            _reconciled = true;
            var historyChanged = !state.Replication.Knows(_required with { Offset = 0 }) && state.Replication.ReplicationId != _required.ReplicationId;
            if (await capture.ReconcileShardAsync(session, shard, _required, historyChanged, cancellationToken).ConfigureAwait(false) is not { } corrected)
            {
                return AttemptVerdict.ReadPrimary;
            }

            _required = corrected;
        }

        if (!state.Replication.Covers(_required))
        {
            return AttemptVerdict.TryNext;
        }

        if (attempt.Status == ReplicaReadStatus.Read)
        {
            _served = attempt;
            return AttemptVerdict.Served;
        }

        // Caught up, yet the key is missing, or the replica refused it: only the primary can tell.
        router.NoteUnusable(replica, key, attempt.Status);
        return AttemptVerdict.ReadPrimary;
    }

    /// <summary>A replica following another history than its shard's primary, or a newer epoch: the topology is stale.</summary>
    private void NoteReplicaState(ClusterNodeState state)
    {
        cluster.NoticeEpoch(state.Epoch);
        var replica = state.Replication;
        if (replica.IsPrimary
            || (shard.Known is { } primary
                && replica.ReplicationId != primary.ReplicationId
                && replica.PreviousReplicationId != primary.ReplicationId
                && replica.ReplicationId != primary.PreviousReplicationId))
        {
            cluster.RequestRefresh(null);
        }
    }
}
