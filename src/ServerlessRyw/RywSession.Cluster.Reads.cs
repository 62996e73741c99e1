using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    // On the application's cluster connection: the slot's primary, redirects followed (a primary is authoritative).
    private const CommandFlags PrimaryReadFlags = CommandFlags.DemandMaster;

    private async Task<T> ReadClusterAsync<T>(
        ClusterTopology cluster, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken)
    {
        switch (_client.Policy.Mode)
        {
            case RywMode.PrimaryOnly:
            case RywMode.Window when IsWithinWindow():
                return await ReadClusterPrimaryAsync(cluster, read, RywReadOutcome.Primary, TimeSpan.Zero, 0, null).ConfigureAwait(false);
            case RywMode.Window:
            case RywMode.ReplicaUnsafe:
                return await ReadClusterAnyReplicaAsync(cluster, key, read, cancellationToken).ConfigureAwait(false);
            default:
                return await ReadClusterWithTokenAsync(cluster, key, read, budget, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> ReadClusterWithTokenAsync<T>(
        ClusterTopology cluster, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (!await EnsureClusterTokenReadyAsync(cluster, cancellationToken).ConfigureAwait(false)
            || await cluster.GetAsync(cancellationToken).ConfigureAwait(false) is not { } snapshot
            || snapshot.ForSlot(ClusterSlots.Of(key)) is not { } shard)
        {
            return await ReadClusterPrimaryAsync(cluster, read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 1, null).ConfigureAwait(false);
        }

        var token = Token;
        if (token.Positions.IsEmpty)
        {
            return await ReadClusterAnyReplicaAsync(cluster, key, read, cancellationToken).ConfigureAwait(false);
        }

        if (await ClusterRequirementAsync(cluster, snapshot, shard, cancellationToken).ConfigureAwait(false) is not { } required)
        {
            return await ReadClusterPrimaryAsync(cluster, read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 1, shard).ConfigureAwait(false);
        }

        if (shard.Group.FindCovering(new PositionRequirement(required), _client.Policy) is { } caughtUp)
        {
            var attempt = await ClusterReplicaReader.ReadAsync(_client, caughtUp, key, read, probe: false, verify: true, cluster.Script).ConfigureAwait(false);
            if (attempt.Status == ClusterReadStatus.Read)
            {
                RoutedTo(RywReadOutcome.ReplicaHit, TimeSpan.Zero, 0, caughtUp.Name);
                return attempt.Result();
            }

            NoteUnusable(cluster, caughtUp, key, attempt);
            return await ReadClusterPrimaryAsync(cluster, read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0, shard).ConfigureAwait(false);
        }

        return await ReadClusterWaitingAsync(cluster, shard, key, read, required, budget, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadClusterWaitingAsync<T>(
        ClusterTopology cluster,
        ClusterShard shard,
        RedisKey key,
        Func<IDatabaseAsync, CommandFlags, Task<T>> read,
        ReplicationPosition required,
        TimeSpan budget,
        CancellationToken cancellationToken)
    {
        var attempt = new ClusterReplicaAttempt<T>(this, cluster, shard, key, read, required);
        var outcome = await WaitLoop.RunAsync(shard.Group, _client.Policy, budget, attempt, cancellationToken).ConfigureAwait(false);
        if (outcome.Server is { } server)
        {
            RoutedTo(outcome.Slept ? RywReadOutcome.WaitedHit : RywReadOutcome.ProbedHit, outcome.Waited, outcome.Probes, server.Name);
            return attempt.Result();
        }

        Log.FellBackToPrimary(_client.Logger, budget.TotalMilliseconds);
        return await ReadClusterPrimaryAsync(cluster, read, RywReadOutcome.PrimaryFallback, outcome.Waited, outcome.Probes, shard)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// One probe-and-read of a waiting cluster read on one replica of the key's shard; reconciles the requirement
    /// with the shard's primary once, and stops waiting when only the primary can tell (a redirect, a missing key).
    /// </summary>
    private sealed class ClusterReplicaAttempt<T>(
        RywSession session, ClusterTopology cluster, ClusterShard shard, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, ReplicationPosition required)
        : IReplicaAttempt
    {
        private ReplicationPosition _required = required;
        private bool _reconciled;
        private ClusterRead<T> _served;

        public T Result() => _served.Result();

        public async ValueTask<AttemptVerdict> TryAsync(RedisNode replica, CancellationToken cancellationToken)
        {
            var policy = session._client.Policy;
            var attempt = await ClusterReplicaReader.ReadAsync(session._client, replica, key, read, probe: true, verify: true, cluster.Script).ConfigureAwait(false);
            if (attempt.State is not { } state)
            {
                if (attempt.Status != ClusterReadStatus.Redirected)
                {
                    return AttemptVerdict.TryNext;
                }

                session.NoteUnusable(cluster, replica, key, attempt);
                return AttemptVerdict.ReadPrimary;
            }

            replica.Observe(state.Replication, policy.Time.GetTimestamp());
            NoteReplicaState(cluster, shard, state);
            if (!_reconciled && !state.Replication.Covers(_required))
            {
                // Before waiting on it, make sure the shard's primary ever wrote that much (a forged or lost position
                // must not make every read of this shard wait).
                _reconciled = true;
                var historyChanged = !state.Replication.Knows(_required with { Offset = 0 }) && state.Replication.ReplicationId != _required.ReplicationId;
                if (await session.ReconcileShardAsync(cluster, shard, _required, historyChanged, cancellationToken).ConfigureAwait(false) is not { } corrected)
                {
                    return AttemptVerdict.ReadPrimary;
                }

                _required = corrected;
            }

            if (!state.Replication.Covers(_required))
            {
                return AttemptVerdict.TryNext;
            }

            if (attempt.Status == ClusterReadStatus.Read)
            {
                _served = attempt;
                return AttemptVerdict.Served;
            }

            // Caught up, yet the key is missing, or the replica refused it: only the primary can tell.
            session.NoteUnusable(cluster, replica, key, attempt);
            return AttemptVerdict.ReadPrimary;
        }
    }

    /// <summary>No token: any replica of the key's shard, unchecked (also the unsafe and after-the-window modes).</summary>
    private async Task<T> ReadClusterAnyReplicaAsync<T>(
        ClusterTopology cluster, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, CancellationToken cancellationToken)
    {
        var snapshot = await cluster.GetAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot?.ForSlot(ClusterSlots.Of(key)) is { } shard && shard.Group.NextConnected() is { } replica)
        {
            var attempt = await ClusterReplicaReader.ReadAsync(_client, replica, key, read, probe: false, verify: false, cluster.Script).ConfigureAwait(false);
            if (attempt.Status == ClusterReadStatus.Read)
            {
                RoutedTo(RywReadOutcome.Replica, TimeSpan.Zero, 0, replica.Name);
                return attempt.Result();
            }

            NoteUnusable(cluster, replica, key, attempt);
        }

        return await ReadClusterPrimaryAsync(cluster, read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0, null).ConfigureAwait(false);
    }

    private async Task<T> ReadClusterPrimaryAsync<T>(
        ClusterTopology cluster, Func<IDatabaseAsync, CommandFlags, Task<T>> read, RywReadOutcome outcome, TimeSpan waited, int probes, ClusterShard? shard)
    {
        var value = await read(cluster.Database, PrimaryReadFlags).ConfigureAwait(false);
        RoutedTo(outcome, waited, probes, shard?.PrimaryEndPoint);
        return value;
    }

    /// <summary>Why a replica could not serve: a redirect means the topology is stale, a missing key may have migrated.</summary>
    private void NoteUnusable<T>(ClusterTopology cluster, RedisNode replica, RedisKey key, ClusterRead<T> attempt)
    {
        var slot = ClusterSlots.Of(key);
        switch (attempt.Status)
        {
            case ClusterReadStatus.Redirected:
                Log.ClusterRedirected(_client.Logger, replica.Name, slot);
                cluster.RequestRefresh(slot);
                break;
            case ClusterReadStatus.Missing:
                Log.ClusterMissingKeyConfirmed(_client.Logger, replica.Name, slot);
                break;
            default:
                break;
        }
    }

    /// <summary>A replica following another history than its shard's primary, or a newer epoch: the topology is stale.</summary>
    private static void NoteReplicaState(ClusterTopology cluster, ClusterShard shard, ClusterNodeState state)
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
