using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>Captures pending writes and resolves unreadable tokens; <see langword="false"/> when the primary could not say.</summary>
    /// <remarks>
    /// The capture is a primary probe sent after this call began, so after every write this session saw answered:
    /// its offset covers them (ordering by construction; a probe pipelined with the write could overtake it on a
    /// connection StackExchange.Redis does not consider steady yet). Concurrent sessions share one probe.
    /// </remarks>
    private async ValueTask<bool> EnsureTokenReadyAsync(CancellationToken cancellationToken)
    {
        if (!IsTokenPending)
        {
            return true;
        }

        if (_client.Cluster is { } cluster)
        {
            return await EnsureClusterTokenReadyAsync(cluster, cancellationToken).ConfigureAwait(false); // every shard's primary
        }

        // Read before the probe is requested: what they count happened before it was sent, so its answer covers them.
        var capture = _tokens.BeginCapture();
        if (await _client.ProbePrimaryAsync(cancellationToken).ConfigureAwait(false) is not { } state)
        {
            Log.CaptureFailed(_client.Logger, new TimeoutException("The primary did not answer the capture probe in time."));
            return false;
        }

        if (_tokens.CompletePrimaryCapture(capture, state.Position))
        {
            _client.Telemetry.RecordWrite();
        }

        return true;
    }

    /// <summary>
    /// Checks the token's positions against the primary and rewrites them as one position in the primary's
    /// current history: offsets beyond the primary are lowered to it, unknown histories raised to it.
    /// </summary>
    /// <returns>The corrected token, or <see langword="null"/> when the primary could not be asked.</returns>
    /// <param name="historyChanged">A replica follows a history the token does not name: remembered primary state
    /// may predate a failover, so ask the primary itself.</param>
    /// <param name="cancellationToken">Stops waiting for the primary.</param>
    private async ValueTask<RywToken?> ReconcileWithPrimaryAsync(bool historyChanged, CancellationToken cancellationToken)
    {
        var token = Token;
        var policy = _client.Policy;
        var primary = historyChanged
            ? null
            : _client.PrimaryNode.KnownSince(policy.Time.GetTimestamp(), policy.KnownPositionLifetime, policy.Time);
        var confirmedNow = false;
        if (primary is null || !IsExplainedBy(token, primary))
        {
            primary = await _client.ProbePrimaryAsync(cancellationToken).ConfigureAwait(false);
            if (primary is null)
            {
                return null;
            }

            confirmedNow = true;
        }

        // Only the primary's own answer vouches for incoming positions: remembered state may predate a failover.
        return _tokens.ReconcileWithPrimary(primary, confirmedNow, _client.Telemetry, _client.Logger);
    }

    /// <summary>Whether every position is within what the primary was last seen to hold (no new probe needed).</summary>
    private static bool IsExplainedBy(in RywToken token, ReplicationState primary)
    {
        foreach (var position in token.Positions)
        {
            if (!primary.Knows(position) || position.Offset > primary.Offset)
            {
                return false;
            }
        }

        return true;
    }
}
