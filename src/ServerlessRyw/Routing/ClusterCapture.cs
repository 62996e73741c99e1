using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// How a cluster session's token gets and keeps its positions: captures after writes (one shard's primary, or all of
/// them), and the requirement a replica of a shard must meet, checked against that shard's primary.
/// </summary>
internal sealed class ClusterCapture(RywClient client, ClusterTopology cluster)
{
    /// <summary>
    /// Captures a keyed write: one probe routed by <paramref name="key"/>, sent after the write was answered, so it
    /// reaches (and is redirected exactly like) the write; the token gets the position of the shard that took it.
    /// </summary>
    public async ValueTask CaptureWriteAsync(RywSession session, ClusterSnapshot? snapshot, RedisKey key)
    {
        var writes = session.Tokens.AnnounceWriteForCapture();
        var policy = client.Policy;
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

        CompleteWrite(session, snapshot, key, state, probeError, writes);
    }

    /// <summary>
    /// A write whose shard is unknown (through <see cref="RywSession.Primary"/>, keyless, or answered by an unexpected
    /// shard) or an unreadable token is covered by every shard primary's current position, probed in parallel.
    /// </summary>
    /// <returns><see langword="false"/> when a primary could not say (reads then go to the primaries).</returns>
    public async ValueTask<bool> CaptureAllAsync(RywSession session, CancellationToken cancellationToken)
    {
        if (!session.Tokens.IsPending)
        {
            return true;
        }

        // Read before the probes are sent: whatever they count happened before, so the probes cover it; a write
        // announced meanwhile stays pending (see PendingGeneration).
        var capture = session.Tokens.BeginCapture();
        var states = await cluster.GetAsync(cancellationToken).ConfigureAwait(false) is { } snapshot
            ? await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false)
            : [null];
        var positions = RywToken.None;
        foreach (var state in states)
        {
            if (state is not null)
            {
                positions = positions.Merge(RywToken.FromPosition(state.Replication.Position));
            }
        }

        // Partial answers still move the token forward; the requests stay pending until every shard has answered.
        session.Tokens.MergeOwn(positions);
        if (Array.Exists(states, static s => s is null))
        {
            return false;
        }

        if (session.Tokens.CompleteCapture(capture))
        {
            client.Telemetry.RecordWrite();
        }

        return true;
    }

    /// <summary>
    /// What a replica of <paramref name="shard"/> must have reached to serve a read: the largest of the token's
    /// positions in that shard's history, the shard's floor (its primary's position after this process learned
    /// which slots it serves) and, for an overflowed token, the shard primary's position checked for this session.
    /// Expressed in the primary's current history (after a failover the new history continues the old offsets).
    /// </summary>
    /// <returns><see langword="null"/> when the shard's primary could not be asked: the read goes to the primary.</returns>
    public async ValueTask<ReplicationPosition?> RequirementAsync(
        RywSession session, ClusterSnapshot snapshot, ClusterShard shard, CancellationToken cancellationToken)
    {
        if (await CheckTokenAsync(session, snapshot, cancellationToken).ConfigureAwait(false) is not { } check)
        {
            return null;
        }

        if (shard.Floor is null)
        {
            if (await cluster.ProbePrimaryAsync(shard, cancellationToken).ConfigureAwait(false) is not { } now)
            {
                return null;
            }

            shard.SetFloor(now.Replication);
        }

        if (shard.Known is not { } primary)
        {
            return null;
        }

        long required = 0;
        foreach (var position in check.Token.Positions)
        {
            if (primary.Knows(position))
            {
                required = Math.Max(required, position.Offset);
            }
        }

        if (shard.Floor is { } floor && primary.Knows(floor.Position))
        {
            required = Math.Max(required, floor.Offset);
        }

        if (check.Token.IsOverflowed && check.PrimariesAtCheck?.FirstOrDefault(s => s?.NodeId == shard.PrimaryId) is { } atCheck
            && primary.Knows(atCheck.Replication.Position))
        {
            required = Math.Max(required, atCheck.Replication.Offset);
        }

        return new ReplicationPosition(primary.ReplicationId, required);
    }

    /// <summary>
    /// Makes sure every position in the token belongs to a shard this process knows. Positions of histories no
    /// primary knows (another cluster, a forged token, a history lost in a failover) and overflowed tokens are
    /// replaced by every shard primary's current position, probed in parallel once per token.
    /// </summary>
    private async ValueTask<ClusterTokenCheck?> CheckTokenAsync(
        RywSession session, ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var token = session.Token;
        if (session.Tokens.ClusterCheckFor(token, snapshot) is { } done)
        {
            return done;
        }

        ClusterNodeState?[]? states = null;
        if (!token.IsOverflowed && !AllAttributed(token, snapshot))
        {
            // A position may belong to a primary whose history changed since it was last probed (a failover).
            states = await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }

        if (!token.IsOverflowed && AllAttributed(token, snapshot))
        {
            return session.Tokens.RememberClusterCheck(new ClusterTokenCheck(token, snapshot, null));
        }

        states ??= await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (Array.Exists(states, static s => s is null))
        {
            return null;
        }

        return session.Tokens.RememberClusterCheck(session.Tokens.ReplaceUnattributed(token, snapshot, states!, client.Telemetry, client.Logger));
    }

    /// <summary>
    /// The replica asked for more than <paramref name="shard"/>'s primary has: either it has not been probed lately,
    /// or the position is forged or was lost in a failover. Lowers the requirement (and the token) to what the
    /// primary has, so a bad token costs a bounded wait, never a permanent primary pin.
    /// </summary>
    /// <returns>The requirement to wait for, or <see langword="null"/> when the primary could not be asked.</returns>
    /// <param name="session">The session whose token is lowered.</param>
    /// <param name="shard">The key's shard.</param>
    /// <param name="required">What the replica was asked to reach.</param>
    /// <param name="historyChanged">The replica follows a history the requirement does not name: remembered primary
    /// state may predate a failover, so ask the primary itself.</param>
    /// <param name="cancellationToken">Stops waiting for the primary.</param>
    public async ValueTask<ReplicationPosition?> ReconcileShardAsync(
        RywSession session, ClusterShard shard, ReplicationPosition required, bool historyChanged, CancellationToken cancellationToken)
    {
        if (!historyChanged && shard.Known is { } known && known.Covers(required))
        {
            return required;
        }

        if (await cluster.ProbePrimaryAsync(shard, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return null;
        }

        var primary = state.Replication;
        if (primary.Covers(required))
        {
            return required;
        }

        session.Tokens.LowerToShardPrimary(primary, client.Telemetry, client.Logger);
        return primary.Position;
    }

    private static bool AllAttributed(in RywToken token, ClusterSnapshot snapshot)
    {
        foreach (var position in token.Positions)
        {
            if (snapshot.Attribute(position) is null)
            {
                return false;
            }
        }

        return true;
    }

    private void CompleteWrite(RywSession session, ClusterSnapshot? snapshot, RedisKey key, ClusterNodeState? state, Exception? probeError, long writes)
    {
        if (state is null || !state.Replication.IsPrimary)
        {
            // The write stays pending: the next read or export captures every primary's position instead.
            client.Telemetry.RecordProbeFailure(probeError is TimeoutException);
            Log.CaptureFailed(client.Logger, probeError ?? new InvalidOperationException("The probe reply was not understood."));
            return;
        }

        // Only this write is covered: another one announced concurrently may have gone to another shard.
        session.Tokens.CompleteWriteCapture(writes, RywToken.FromPosition(state.Replication.Position, client.Policy.Time.GetUtcNow()));
        client.Telemetry.RecordWrite();
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
        Log.ClusterWriteElsewhere(client.Logger, slot, state.NodeId);
        cluster.RequestRefresh(slot);
        session.Tokens.RequireCurrentPosition();
    }
}
