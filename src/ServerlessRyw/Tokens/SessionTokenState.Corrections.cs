using Microsoft.Extensions.Logging;
using ServerlessRyw.Routing;

namespace ServerlessRyw;

/// <summary>Rewrites of the token once a primary answered: untrusted positions it cannot vouch for are counted and corrected.</summary>
internal partial struct SessionTokenState
{
    /// <summary>
    /// Rewrites the token as one position in <paramref name="primary"/>'s current history: offsets beyond the
    /// primary are lowered to it, unknown histories raised to it (counted when they came from outside).
    /// </summary>
    /// <param name="primary">The primary's position.</param>
    /// <param name="confirmedNow">The primary itself answered just now: only then does it vouch for incoming
    /// positions (remembered state may predate a failover).</param>
    /// <param name="telemetry">Counts corrected positions.</param>
    /// <param name="logger">Logs them.</param>
    /// <returns>The corrected token.</returns>
    public RywToken ReconcileWithPrimary(ReplicationState primary, bool confirmedNow, RywTelemetry telemetry, ILogger logger)
    {
        lock (_gate)
        {
            var trusted = !_untrusted;
            long required = 0;
            foreach (var position in _token.Positions)
            {
                if (primary.Knows(position) && position.Offset <= primary.Offset)
                {
                    required = Math.Max(required, position.Offset);
                    continue;
                }

                required = primary.Offset;
                if (trusted)
                {
                    continue;
                }

                if (string.Equals(position.ReplicationId, primary.ReplicationId, StringComparison.Ordinal)
                    || string.Equals(position.ReplicationId, primary.PreviousReplicationId, StringComparison.Ordinal))
                {
                    telemetry.RecordRejection(RywTokenRejection.BeyondPrimary);
                    Log.TokenBeyondPrimary(logger, position.ReplicationId, position.Offset, primary.Offset);
                }
                else
                {
                    telemetry.RecordRejection(RywTokenRejection.ForeignHistory);
                    Log.TokenForeignHistory(logger, position.ReplicationId, primary.ReplicationId);
                }
            }

            _token = _token.WithPositions([new ReplicationPosition(primary.ReplicationId, required)]);
            if (confirmedNow)
            {
                _untrusted = false;
            }

            return _token;
        }
    }

    /// <summary>The last cluster check, when it was made for <paramref name="token"/> against <paramref name="snapshot"/>.</summary>
    public readonly ClusterTokenCheck? ClusterCheckFor(in RywToken token, ClusterSnapshot snapshot)
    {
        lock (_gate)
        {
            return _clusterChecked is { } done && done.Token == token && done.Snapshot == snapshot ? done : null;
        }
    }

    /// <summary>Keeps <paramref name="check"/> for the reads that follow while the token is unchanged.</summary>
    public ClusterTokenCheck RememberClusterCheck(ClusterTokenCheck check)
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
    /// <returns>The check to remember (not remembered yet).</returns>
    public ClusterTokenCheck ReplaceUnattributed(
        RywToken checkedToken, ClusterSnapshot snapshot, ClusterNodeState[] states, RywTelemetry telemetry, ILogger logger)
    {
        lock (_gate)
        {
            var current = _token;
            var positions = states.Select(static s => s.Replication.Position).ToDictionary(static p => p.ReplicationId, StringComparer.Ordinal);
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
                    telemetry.RecordRejection(reason);
                    if (owner is null)
                    {
                        Log.TokenForeignHistory(logger, position.ReplicationId, "any cluster primary");
                    }
                    else
                    {
                        Log.TokenBeyondPrimary(logger, position.ReplicationId, position.Offset, owner.Replication.Offset);
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
                telemetry.RecordOverflow();
                Log.ClusterTokenOverflowed(logger, RywToken.MaxPositions);
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
    /// Lowers every position of <paramref name="primary"/>'s history that lies beyond it to the primary's position
    /// (counted when it came from outside): a bad token costs a bounded wait, never a permanent primary pin.
    /// </summary>
    public void LowerToShardPrimary(ReplicationState primary, RywTelemetry telemetry, ILogger logger)
    {
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
                            telemetry.RecordRejection(RywTokenRejection.BeyondPrimary);
                            Log.TokenBeyondPrimary(logger, positions[i].ReplicationId, positions[i].Offset, primary.Offset);
                        }

                        positions[i] = primary.Position;
                    }
                }
            }

            _token = _token.WithPositions(
                positions.GroupBy(static p => p.ReplicationId, StringComparer.Ordinal)
                    .Select(static g => g.MaxBy(static p => p.Offset))
                    .OrderBy(static p => p.ReplicationId, StringComparer.Ordinal)
                    .ToArray());
        }
    }
}

/// <summary>A token checked against a cluster snapshot; <see cref="PrimariesAtCheck"/> is set when it overflowed.</summary>
internal sealed record ClusterTokenCheck(RywToken Token, ClusterSnapshot Snapshot, ClusterNodeState?[]? PrimariesAtCheck);
