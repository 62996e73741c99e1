using ServerlessRyw.Routing;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    // The token as last checked against the cluster's primaries, and (only when it overflowed) those primaries'
    // positions, which then stand in for the shards it has no position for. Reused while the token is unchanged.
    private ClusterTokenCheck? _clusterChecked;

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
        var writes = _writes.Snapshot();
        var unknown = _unknownWrites.Snapshot();
        var states = await cluster.GetAsync(cancellationToken).ConfigureAwait(false) is { } snapshot
            ? await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false)
            : [null];
        var positions = RywToken.None;
        foreach (var state in states)
        {
            if (state is not null)
            {
                positions = positions.Merge(RywToken.FromPosition(Position(state.Replication)));
            }
        }

        // Partial answers still move the token forward; the requests stay pending until every shard has answered.
        MergeOwn(positions);
        if (Array.Exists(states, static s => s is null))
        {
            return false;
        }

        _unknownWrites.SatisfyUpTo(unknown);
        if (_writes.SatisfyUpTo(writes))
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

        if (shard.Floor is { } floor && primary.Knows(Position(floor)))
        {
            required = Math.Max(required, floor.Offset);
        }

        if (check.Token.IsOverflowed && check.PrimariesAtCheck?.FirstOrDefault(s => s?.NodeId == shard.PrimaryId) is { } atCheck
            && primary.Knows(Position(atCheck.Replication)))
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
        lock (_gate)
        {
            if (_clusterChecked is { } done && done.Token == token && done.Snapshot == snapshot)
            {
                return done;
            }
        }

        ClusterNodeState?[]? states = null;
        if (!token.IsOverflowed && !AllAttributed(token, snapshot))
        {
            // A position may belong to a primary whose history changed since it was last probed (a failover).
            states = await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }

        if (!token.IsOverflowed && AllAttributed(token, snapshot))
        {
            return Remember(new ClusterTokenCheck(token, snapshot, null));
        }

        states ??= await cluster.ProbeAllPrimariesAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (Array.Exists(states, static s => s is null))
        {
            return null;
        }

        return Remember(ReplaceUnattributed(token, snapshot, states!));
    }

    private ClusterTokenCheck Remember(ClusterTokenCheck check)
    {
        lock (_gate)
        {
            _clusterChecked = check;
        }

        return check;
    }

    /// <summary>
    /// Rewrites the token as every primary's current position plus whatever arrived meanwhile. Positions that were in
    /// <paramref name="checkedToken"/> and that no primary knows, or that lie beyond their primary, are dropped and
    /// counted (when they came from outside); the primaries' positions, taken after they arrived, cover them.
    /// </summary>
    private ClusterTokenCheck ReplaceUnattributed(RywToken checkedToken, ClusterSnapshot snapshot, ClusterNodeState[] states)
    {
        lock (_gate)
        {
            var current = _token;
            var positions = states.Select(static s => Position(s.Replication)).ToDictionary(static p => p.ReplicationId, StringComparer.Ordinal);
            foreach (var position in current.Positions)
            {
                var checkedBefore = checkedToken.TryGetOffset(position.ReplicationId, out var offset) && offset >= position.Offset;
                var owner = Array.Find(states, s => s.Replication.Knows(position));
                if (owner is not null && position.Offset <= owner.Replication.Offset)
                {
                    continue; // its primary's current position covers it
                }

                if (!checkedBefore)
                {
                    // Arrived after the probes: keep it for the next check.
                    positions[position.ReplicationId] = position;
                    continue;
                }

                if (_untrusted)
                {
                    var reason = owner is null ? RywTokenRejection.ForeignHistory : RywTokenRejection.BeyondPrimary;
                    _client.Telemetry.RecordRejection(reason);
                    if (owner is null)
                    {
                        Log.TokenForeignHistory(_client.Logger, position.ReplicationId, "any cluster primary");
                    }
                    else
                    {
                        Log.TokenBeyondPrimary(_client.Logger, position.ReplicationId, position.Offset, owner.Replication.Offset);
                    }
                }
            }

            var sorted = positions.Values.OrderBy(static p => p.ReplicationId, StringComparer.Ordinal).ToArray();
            var overflowed = sorted.Length > RywToken.MaxPositions || (current.IsOverflowed && current != checkedToken);
            if (sorted.Length > RywToken.MaxPositions)
            {
                // More shards than a token holds: keep some, and let the primaries' positions stand in for the rest.
                sorted = [.. sorted.OrderByDescending(static p => p.Offset).Take(RywToken.MaxPositions).OrderBy(static p => p.ReplicationId, StringComparer.Ordinal)];
            }

            if (checkedToken.IsOverflowed)
            {
                _client.Telemetry.RecordOverflow();
                Log.ClusterTokenOverflowed(_client.Logger, RywToken.MaxPositions);
            }

            _token = current.WithPositions(sorted, overflowed);
            if (current == checkedToken)
            {
                _untrusted = false;
            }

            return new ClusterTokenCheck(_token, snapshot, overflowed ? states : null);
        }
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

        lock (_gate)
        {
            var positions = _token.Positions.ToArray();
            for (var i = 0; i < positions.Length; i++)
            {
                if (primary.Knows(positions[i]) || positions[i].ReplicationId == primary.ReplicationId)
                {
                    if (positions[i].Offset > primary.Offset)
                    {
                        if (_untrusted)
                        {
                            _client.Telemetry.RecordRejection(RywTokenRejection.BeyondPrimary);
                            Log.TokenBeyondPrimary(_client.Logger, positions[i].ReplicationId, positions[i].Offset, primary.Offset);
                        }

                        positions[i] = Position(primary);
                    }
                }
            }

            _token = _token.WithPositions(
                positions.GroupBy(static p => p.ReplicationId, StringComparer.Ordinal)
                    .Select(static g => g.MaxBy(static p => p.Offset))
                    .OrderBy(static p => p.ReplicationId, StringComparer.Ordinal)
                    .ToArray());
        }

        return Position(primary);
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

    private static ReplicationPosition Position(ReplicationState state) => new(state.ReplicationId, state.Offset);

    /// <summary>A token checked against a snapshot; <see cref="PrimariesAtCheck"/> is set when it overflowed.</summary>
    private sealed record ClusterTokenCheck(RywToken Token, ClusterSnapshot Snapshot, ClusterNodeState?[]? PrimariesAtCheck);
}
