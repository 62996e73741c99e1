using ServerlessRyw.Routing;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>
    /// Cluster counterpart of <see cref="EnsureTokenReadyAsync"/>: a write whose shard is unknown (through
    /// <see cref="Primary"/>, keyless, or answered by an unexpected shard) or an unreadable token is covered by every
    /// shard primary's current position, probed in parallel.
    /// </summary>
    /// <returns><see langword="false"/> when a primary could not say (reads then go to the primaries).</returns>
    private async ValueTask<bool> EnsureClusterTokenReadyAsync(ClusterTopology cluster, CancellationToken cancellationToken)
    {
        if (!IsTokenPending)
        {
            return true;
        }

        // Read before the probes are sent: whatever they count happened before, so the probes cover it; a write
        // announced meanwhile stays pending (see PendingGeneration).
        var capture = _tokens.BeginCapture();
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
        _tokens.MergeOwn(positions);
        if (Array.Exists(states, static s => s is null))
        {
            return false;
        }

        if (_tokens.CompleteCapture(capture))
        {
            _client.Telemetry.RecordWrite();
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
    private async ValueTask<ReplicationPosition?> ClusterRequirementAsync(
        ClusterTopology cluster, ClusterSnapshot snapshot, ClusterShard shard, CancellationToken cancellationToken)
    {
        if (await CheckClusterTokenAsync(cluster, snapshot, cancellationToken).ConfigureAwait(false) is not { } check)
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
    private async ValueTask<ClusterTokenCheck?> CheckClusterTokenAsync(
        ClusterTopology cluster, ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var token = Token;
        if (_tokens.ClusterCheckFor(token, snapshot) is { } done)
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
            return _tokens.RememberClusterCheck(new ClusterTokenCheck(token, snapshot, null));
        }

        states ??= await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (Array.Exists(states, static s => s is null))
        {
            return null;
        }

        return _tokens.RememberClusterCheck(_tokens.ReplaceUnattributed(token, snapshot, states!, _client.Telemetry, _client.Logger));
    }

    /// <summary>
    /// The replica asked for more than <paramref name="shard"/>'s primary has: either it has not been probed lately,
    /// or the position is forged or was lost in a failover. Lowers the requirement (and the token) to what the
    /// primary has, so a bad token costs a bounded wait, never a permanent primary pin.
    /// </summary>
    /// <returns>The requirement to wait for, or <see langword="null"/> when the primary could not be asked.</returns>
    /// <param name="cluster">The topology.</param>
    /// <param name="shard">The key's shard.</param>
    /// <param name="required">What the replica was asked to reach.</param>
    /// <param name="historyChanged">The replica follows a history the requirement does not name: remembered primary
    /// state may predate a failover, so ask the primary itself.</param>
    /// <param name="cancellationToken">Stops waiting for the primary.</param>
    private async ValueTask<ReplicationPosition?> ReconcileShardAsync(
        ClusterTopology cluster, ClusterShard shard, ReplicationPosition required, bool historyChanged, CancellationToken cancellationToken)
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

        _tokens.LowerToShardPrimary(primary, _client.Telemetry, _client.Logger);
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
}
