using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Routing for one primary and its replicas: a replica serves a read once it has applied every position of the
/// session's token, else the read waits within its budget, then goes to the primary.
/// </summary>
internal sealed class SinglePrimaryRouter(RywClient client) : SessionRouter(client)
{
    public override bool CapturesIncompleteTokens => true;

    public override ValueTask<T> ReadAsync<T>(RywSession session, Func<IDatabaseAsync, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken) =>
        Policy.Mode switch
        {
            RywMode.PrimaryOnly => ReadPrimaryAsync(read, RywReadOutcome.Primary, TimeSpan.Zero, 0),
            RywMode.ReplicaUnsafe => ReadAnyReplicaAsync(read),
            RywMode.Window when IsWithinWindow(session) => ReadPrimaryAsync(read, RywReadOutcome.Primary, TimeSpan.Zero, 0),
            RywMode.Window => ReadAnyReplicaAsync(read),
            _ => ReadWithTokenAsync(session, read, budget, cancellationToken),
        };

    public override ValueTask<T> ReadAsync<T>(
        RywSession session, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken) =>
        ReadAsync(session, db => read(db, CommandFlags.None), budget, cancellationToken);

    public override Task<T> WriteAsync<T>(RywSession session, RedisKey key, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken) =>
        WriteAsync(session, write, cancellationToken);

    /// <remarks>
    /// The capture is a primary probe sent after this call began, so after every write this session saw answered:
    /// its offset covers them (ordering by construction; a probe pipelined with the write could overtake it on a
    /// connection StackExchange.Redis does not consider steady yet). Concurrent sessions share one probe.
    /// </remarks>
    public override async ValueTask<bool> CaptureAsync(RywSession session, CancellationToken cancellationToken)
    {
        if (!session.Tokens.IsPending)
        {
            return true;
        }

        // Read before the probe is requested: what they count happened before it was sent, so its answer covers them.
        var capture = session.Tokens.BeginCapture();
        if (await Client.ProbePrimaryAsync(cancellationToken).ConfigureAwait(false) is not { } state)
        {
            Log.CaptureFailed(Client.Logger, new TimeoutException("The primary did not answer the capture probe in time."));
            return false;
        }

        if (session.Tokens.CompletePrimaryCapture(capture, state.Position))
        {
            Client.Telemetry.RecordWrite();
        }

        return true;
    }

    /// <summary>
    /// Checks the token's positions against the primary and rewrites them as one position in the primary's
    /// current history: offsets beyond the primary are lowered to it, unknown histories raised to it.
    /// </summary>
    /// <param name="session">The session whose token is checked.</param>
    /// <param name="historyChanged">A replica follows a history the token does not name: remembered primary state
    /// may predate a failover, so ask the primary itself.</param>
    /// <param name="cancellationToken">Stops waiting for the primary.</param>
    /// <returns>The corrected token, or <see langword="null"/> when the primary could not be asked.</returns>
    public async ValueTask<RywToken?> ReconcileWithPrimaryAsync(RywSession session, bool historyChanged, CancellationToken cancellationToken)
    {
        var primary = historyChanged
            ? null
            : Client.PrimaryNode.KnownSince(Policy.Time.GetTimestamp(), Policy.KnownPositionLifetime, Policy.Time);
        var confirmedNow = false;
        if (primary is null || !IsExplainedBy(session.Token, primary))
        {
            primary = await Client.ProbePrimaryAsync(cancellationToken).ConfigureAwait(false);
            if (primary is null)
            {
                return null;
            }

            confirmedNow = true;
        }

        // Only the primary's own answer vouches for incoming positions: remembered state may predate a failover.
        return session.Tokens.ReconcileWithPrimary(primary, confirmedNow, Client.Telemetry, Client.Logger);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReadWithTokenAsync<T>(RywSession session, Func<IDatabaseAsync, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (!await CaptureAsync(session, cancellationToken).ConfigureAwait(false))
        {
            return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 1).ConfigureAwait(false);
        }

        var token = session.Token;
        if (token.Positions.IsEmpty)
        {
            return await ReadAnyReplicaAsync(read).ConfigureAwait(false);
        }

        if (Client.Replicas.FindCovering(new TokenRequirement(token), Policy) is { } caughtUp)
        {
            try
            {
                var value = await Policy.Deadlines.WaitAsync(read(caughtUp.Database), Policy.ReplicaTimeout, CancellationToken.None).ConfigureAwait(false);
                Report(RywReadOutcome.ReplicaHit, TimeSpan.Zero, 0, caughtUp.Name);
                return value;
            }
            catch (Exception exception) when (RedisFailures.IsUnavailable(exception))
            {
                Log.ReplicaReadFailed(Client.Logger, caughtUp.Name, exception);
                return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0).ConfigureAwait(false);
            }
        }

        var attempt = new SinglePrimaryReplicaAttempt<T>(this, session, read, token);
        var outcome = await WaitLoop.RunAsync(Client.Replicas, Policy, budget, attempt, cancellationToken).ConfigureAwait(false);
        if (outcome.Server is { } server)
        {
            Report(outcome.Slept ? RywReadOutcome.WaitedHit : RywReadOutcome.ProbedHit, outcome.Waited, outcome.Probes, server.Name);
            return attempt.Result(); // rethrows the delegate's own error, now that the replica is known fresh
        }

        Log.FellBackToPrimary(Client.Logger, budget.TotalMilliseconds);
        return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, outcome.Waited, outcome.Probes).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReadAnyReplicaAsync<T>(Func<IDatabaseAsync, Task<T>> read)
    {
        if (Client.Replicas.NextConnected() is { } replica)
        {
            try
            {
                var value = await Policy.Deadlines.WaitAsync(read(replica.Database), Policy.ReplicaTimeout).ConfigureAwait(false);
                Report(RywReadOutcome.Replica, TimeSpan.Zero, 0, replica.Name);
                return value;
            }
            catch (Exception exception) when (RedisFailures.IsUnavailable(exception))
            {
                Log.ReplicaReadFailed(Client.Logger, replica.Name, exception);
            }
        }

        return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReadPrimaryAsync<T>(Func<IDatabaseAsync, Task<T>> read, RywReadOutcome outcome, TimeSpan waited, int probes)
    {
        var value = await read(await Client.PrimaryForReadAsync().ConfigureAwait(false)).ConfigureAwait(false);
        Report(outcome, waited, probes, Client.PrimaryNode.Name);
        return value;
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
