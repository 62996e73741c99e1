using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    private async Task<T> WriteClusterAsync<T>(
        ClusterTopology cluster, RedisKey key, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var policy = _client.Policy;
        if (policy.Mode != RywMode.Token)
        {
            var result = await write(cluster.Database).ConfigureAwait(false);
            if (policy.Mode == RywMode.Window)
            {
                MergeOwn(RywToken.FromWriteTime(policy.Time.GetUtcNow()));
            }

            return result;
        }

        // Known shards let the capture tell whether the write landed where the topology says (no slot migration).
        var snapshot = await cluster.GetAsync(cancellationToken).ConfigureAwait(false);

        // The probe names the written key, so the cluster routes it like the write: to the same primary, and through
        // the same MOVED or ASK redirect during a slot migration. It runs after the write on that primary.
        var batch = cluster.Database.CreateBatch();
        var writing = write(batch);
        var probing = ClusterProbe.SendAsync(batch, key);
        batch.Execute();

        ClusterNodeState? state = null;
        Exception? probeError = null;
        try
        {
            state = ClusterProbe.Parse(await probing.ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            probeError = exception;
        }

        try
        {
            return await AwaitBatchedDelegateAsync(writing, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CaptureClusterWrite(cluster, snapshot, key, state, probeError);
        }
    }

    private void CaptureClusterWrite(ClusterTopology cluster, ClusterSnapshot? snapshot, RedisKey key, ClusterNodeState? state, Exception? probeError)
    {
        if (state is null || !state.Replication.IsPrimary)
        {
            // The next read or export captures every primary's position instead.
            _client.Telemetry.RecordProbeFailure();
            Log.CaptureFailed(_client.Logger, probeError ?? new InvalidOperationException("The probe reply was not understood."));
            Volatile.Write(ref _writePending, true);
            return;
        }

        _client.Telemetry.RecordWrite();
        MergeOwn(RywToken.FromPosition(Position(state.Replication), _client.Policy.Time.GetUtcNow()));
        cluster.NoticeEpoch(state.Epoch);
        var slot = ClusterSlots.Of(key);
        if (snapshot?.ForSlot(slot) is { } shard && shard.PrimaryId == state.NodeId)
        {
            shard.Observe(state.Replication);
            return;
        }

        // Another primary took the write: the slot is migrating (ASK) or moved (MOVED). The key's previous shard
        // deleted (or is about to delete) its copy, and its replicas may still serve the old value: requiring every
        // primary's current position makes a replica of the old shard reach that deletion, after which it no longer
        // has the key and the read is confirmed on the primary.
        Log.ClusterWriteElsewhere(_client.Logger, slot, state.NodeId);
        cluster.RequestRefresh(slot);
        Volatile.Write(ref _needsPrimaryPosition, true);
    }
}
