using System.Runtime.ExceptionServices;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>
    /// Reads with read-your-writes: on a replica that has caught up with the session's token, else on the primary
    /// after waiting at most <see cref="RywOptions.WaitBudget"/>.
    /// </summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="read">The usual StackExchange.Redis call, for example <c>db =&gt; db.StringGetAsync(key)</c>.
    /// It may run more than once (on a replica that turned out to lag, then elsewhere); keep it free of side effects.</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned, from a server that has every write the token names.</returns>
    public Task<T> ReadAsync<T>(Func<IDatabaseAsync, Task<T>> read, CancellationToken cancellationToken = default) =>
        ReadAsync(read, _client.Policy.WaitBudget, cancellationToken);

    /// <summary>Reads with read-your-writes, waiting at most <paramref name="waitBudget"/> for a replica.</summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="read">The usual StackExchange.Redis call; it may run more than once.</param>
    /// <param name="waitBudget">This read's wait budget (0 to <see cref="RywOptions.MaxWaitBudget"/>).</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned.</returns>
    public Task<T> ReadAsync<T>(Func<IDatabaseAsync, Task<T>> read, TimeSpan waitBudget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThan(waitBudget, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(waitBudget, RywOptions.MaxWaitBudget);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        if (_client.Cluster is { } cluster)
        {
            return ReadClusterKeylessAsync(cluster, read); // no key, no shard: see RywSession.Cluster.cs
        }

        return _client.Policy.Mode switch
        {
            RywMode.PrimaryOnly => ReadPrimaryAsync(read, RywReadOutcome.Primary, TimeSpan.Zero, 0),
            RywMode.ReplicaUnsafe => ReadAnyReplicaAsync(read),
            RywMode.Window when IsWithinWindow() => ReadPrimaryAsync(read, RywReadOutcome.Primary, TimeSpan.Zero, 0),
            RywMode.Window => ReadAnyReplicaAsync(read),
            _ => ReadWithTokenAsync(read, waitBudget, cancellationToken),
        };
    }

    private bool IsWithinWindow()
    {
        var policy = _client.Policy;
        return Token.LastWriteAt is { } lastWrite && policy.Time.GetUtcNow() - lastWrite < policy.Window;
    }

    private async Task<T> ReadWithTokenAsync<T>(Func<IDatabaseAsync, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (!await EnsureTokenReadyAsync(cancellationToken).ConfigureAwait(false))
        {
            return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 1).ConfigureAwait(false);
        }

        var token = Token;
        if (token.Positions.IsEmpty)
        {
            return await ReadAnyReplicaAsync(read).ConfigureAwait(false);
        }

        if (_client.Replicas.FindCovering(new TokenRequirement(token), _client.Policy) is { } caughtUp)
        {
            try
            {
                var value = await BoundedAsync(read(caughtUp.Database)).ConfigureAwait(false);
                Routed(RywReadOutcome.ReplicaHit, TimeSpan.Zero, 0, caughtUp);
                return value;
            }
            catch (Exception exception) when (RedisFailures.IsUnavailable(exception))
            {
                Log.ReplicaReadFailed(_client.Logger, caughtUp.Name, exception);
                return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0).ConfigureAwait(false);
            }
        }

        return await ReadWaitingAsync(read, token, budget, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadWaitingAsync<T>(
        Func<IDatabaseAsync, Task<T>> read, RywToken token, TimeSpan budget, CancellationToken cancellationToken)
    {
        var attempt = new SingleReplicaAttempt<T>(this, read, token);
        var outcome = await WaitLoop.RunAsync(_client.Replicas, _client.Policy, budget, attempt, cancellationToken).ConfigureAwait(false);
        if (outcome.Server is { } server)
        {
            Routed(outcome.Slept ? RywReadOutcome.WaitedHit : RywReadOutcome.ProbedHit, outcome.Waited, outcome.Probes, server);
            return attempt.Result(); // rethrows the delegate's own error, now that the replica is known fresh
        }

        Log.FellBackToPrimary(_client.Logger, budget.TotalMilliseconds);
        return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, outcome.Waited, outcome.Probes).ConfigureAwait(false);
    }

    /// <summary>One probe-and-read of a waiting single-primary read; reconciles the token with the primary once.</summary>
    private sealed class SingleReplicaAttempt<T>(RywSession session, Func<IDatabaseAsync, Task<T>> read, RywToken token) : IReplicaAttempt
    {
        private RywToken _token = token;
        private bool _reconciled;
        private ProbedRead<T> _served;

        public T Result() => _served.Result();

        public async ValueTask<AttemptVerdict> TryAsync(RedisNode replica, CancellationToken cancellationToken)
        {
            var attempt = await session.ProbeAndReadAsync(replica, read).ConfigureAwait(false);
            if (!_reconciled && attempt.State is { } behind && !behind.Covers(_token))
            {
                // The token asks for more than this replica has: before waiting on it, make sure the primary ever
                // wrote that much (a forged or foreign token must not make every read wait).
                _reconciled = true;
                if (await session.ReconcileWithPrimaryAsync(!KnowsAnyHistoryOf(behind, _token), cancellationToken).ConfigureAwait(false) is not { } corrected)
                {
                    return AttemptVerdict.ReadPrimary;
                }

                _token = corrected;
            }

            if (attempt.State is { IsPrimary: false } state && state.Covers(_token))
            {
                _served = attempt;
                return AttemptVerdict.Served;
            }

            return AttemptVerdict.TryNext;
        }
    }

    /// <summary>
    /// The probe and the read in one <c>MULTI</c>/<c>EXEC</c> on the replica: one message, one round trip, and one
    /// unit the server runs in that order, so the read sees at least what the probe reports (a replica applies
    /// replication between client commands, never inside a transaction). Ordering holds by construction: a plain
    /// pipeline may reach the server read-first while StackExchange.Redis considers the connection unsteady.
    /// </summary>
    private async Task<ProbedRead<T>> ProbeAndReadAsync<T>(RedisNode replica, Func<IDatabaseAsync, Task<T>> read)
    {
        var policy = _client.Policy;
        var sent = policy.Time.GetTimestamp();
        var transaction = replica.Database.CreateTransaction();
        var probing = ReplicationProbe.SendAsync(transaction, replica.Script);
        Task<T> reading;
        try
        {
            reading = read(transaction);
        }
        catch
        {
            DeadlineWheel.ObserveLater(probing);
            throw;
        }

        ReplicationState? state = null;
        try
        {
            // One deadline for the whole unit: a hung replica costs one timeout, not two.
            await policy.Deadlines.WaitAsync(transaction.ExecuteAsync(), policy.ReplicaTimeout).ConfigureAwait(false);
            state = ReplicationProbe.Parse(await probing.ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            // OperationCanceledException: a transaction refused as a whole (EXECABORT) cancels its commands.
            if (exception is RedisServerException refused)
            {
                replica.Script.FallBackIfRefused(refused);
            }

            Log.ProbeFailed(_client.Logger, replica.Name, exception);
        }

        if (state is null)
        {
            _client.Telemetry.RecordProbeFailure();
            DeadlineWheel.ObserveLater(probing);
            DeadlineWheel.ObserveLater(reading);
            return default;
        }

        replica.Observe(state, policy.Time.GetTimestamp());
        if (!reading.IsCompleted)
        {
            try
            {
                await policy.Deadlines.WaitAsync(reading, RoutingPolicy.ReadDelegateGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The delegate awaited a command and then issued another into the executed transaction. The probe's
                // answer is in, so a read sent now runs after it on this replica: run the delegate again on its own.
                reading = read(replica.Database);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Its own error: observed below.
            }
        }

        try
        {
            var left = policy.ReplicaTimeout - policy.Time.GetElapsedTime(sent);
            return new ProbedRead<T>(state, await BoundedAsync(reading, left).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (!RedisFailures.IsUnavailable(exception))
        {
            // Kept, not thrown: on a stale replica the error may itself be stale (WRONGTYPE for an old type).
            return new ProbedRead<T>(state, default, ExceptionDispatchInfo.Capture(exception));
        }
        catch (Exception exception)
        {
            Log.ReplicaReadFailed(_client.Logger, replica.Name, exception);
            return new ProbedRead<T>(null, default, null);
        }
    }

    private async Task<T> ReadAnyReplicaAsync<T>(Func<IDatabaseAsync, Task<T>> read)
    {
        if (_client.Replicas.NextConnected() is { } replica)
        {
            try
            {
                var value = await BoundedAsync(read(replica.Database)).ConfigureAwait(false);
                Routed(RywReadOutcome.Replica, TimeSpan.Zero, 0, replica);
                return value;
            }
            catch (Exception exception) when (RedisFailures.IsUnavailable(exception))
            {
                Log.ReplicaReadFailed(_client.Logger, replica.Name, exception);
            }
        }

        return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0).ConfigureAwait(false);
    }

    private async Task<T> ReadPrimaryAsync<T>(Func<IDatabaseAsync, Task<T>> read, RywReadOutcome outcome, TimeSpan waited, int probes)
    {
        var primary = _client.PrimaryNode;
        var value = await read(await _client.PrimaryForReadAsync().ConfigureAwait(false)).ConfigureAwait(false);
        Routed(outcome, waited, probes, primary);
        return value;
    }

    private void Routed(RywReadOutcome outcome, TimeSpan waited, int probes, RedisNode node) =>
        RoutedTo(outcome, waited, probes, node.Name); // see RywSession.Cluster.cs

    private static bool KnowsAnyHistoryOf(ReplicationState state, in RywToken token)
    {
        foreach (var position in token.Positions)
        {
            if (state.Knows(position))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The task, or a timeout once <see cref="RywOptions.ReplicaTimeout"/> (or <paramref name="limit"/>) passes.</summary>
    private ValueTask<TResult> BoundedAsync<TResult>(Task<TResult> task, TimeSpan? limit = null) =>
        _client.Policy.Deadlines.WaitAsync(task, limit ?? _client.Policy.ReplicaTimeout);

    private readonly struct ProbedRead<T>(ReplicationState? state, T? value, ExceptionDispatchInfo? error)
    {
        /// <summary>What the probe said; <see langword="null"/> when the probe or the read did not come back.</summary>
        public ReplicationState? State { get; } = state;

        public T Result()
        {
            error?.Throw();
            return value!;
        }
    }
}
