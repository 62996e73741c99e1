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
                _tokens.MergeOwn(RywToken.FromWriteTime(policy.Time.GetUtcNow()));
            }

            return result;
        }

        // Known shards let the capture tell whether the write landed where the topology says (no slot migration).
        var snapshot = await cluster.GetAsync(cancellationToken).ConfigureAwait(false);

        // The capture is sent after the write was answered (ordering by construction, see WriteAsync). It names the
        // written key, so the cluster routes it like the write: to the same primary, through the same MOVED or ASK
        // redirect during a slot migration.
        try
        {
            return await write(cluster.Database).ConfigureAwait(false);
        }
        finally
        {
            // Even a failed write may have applied some of its commands: capture the position regardless.
            var writes = _tokens.AnnounceWriteForCapture();
            ClusterNodeState? state = null;
            Exception? probeError = null;
            try
            {
                state = ClusterProbe.Parse(await policy.Deadlines.WaitAsync(ClusterProbe.SendAsync(cluster.Database, cluster.Script, key), policy.ReplicaTimeout, CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                probeError = exception;
            }

            CaptureClusterWrite(cluster, snapshot, key, state, probeError, writes);
        }
    }

    private void CaptureClusterWrite(ClusterTopology cluster, ClusterSnapshot? snapshot, RedisKey key, ClusterNodeState? state, Exception? probeError, long writes)
    {
        if (state is null || !state.Replication.IsPrimary)
        {
            // The write stays pending: the next read or export captures every primary's position instead.
            _client.Telemetry.RecordProbeFailure(probeError is TimeoutException);
            Log.CaptureFailed(_client.Logger, probeError ?? new InvalidOperationException("The probe reply was not understood."));
            return;
        }

        // Only this write is covered: another one announced concurrently may have gone to another shard.
        _tokens.CompleteWriteCapture(writes, RywToken.FromPosition(state.Replication.Position, _client.Policy.Time.GetUtcNow()));
        _client.Telemetry.RecordWrite();
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
        _tokens.RequireCurrentPosition();
    }
}
