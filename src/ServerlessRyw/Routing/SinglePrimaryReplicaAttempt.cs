using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>One probe-and-read of a waiting single-primary read; reconciles the token with the primary once.</summary>
internal sealed class SinglePrimaryReplicaAttempt<T>(SinglePrimaryRouter router, RywSession session, Func<IDatabaseAsync, Task<T>> read, RywToken token)
    : IReplicaAttempt
{
    private RywToken _token = token;
    private bool _reconciled;
    private ReplicaRead<ReplicationState, T> _served;

    /// <summary>The served value, or the delegate's own error, now that the replica is known fresh.</summary>
    public T Result() => _served.Result();

    public async ValueTask<AttemptVerdict> TryAsync(RedisNode replica, CancellationToken cancellationToken)
    {
        var attempt = await ReplicaReader.ProbeAndReadAsync(session.Client, replica, read).ConfigureAwait(false);
        if (!_reconciled && attempt.State is { } behind && !behind.Covers(_token))
        {
            // The token asks for more than this replica has: before waiting on it, make sure the primary ever wrote
            // that much (a forged or foreign token must not make every read wait).
            _reconciled = true;
            if (await router.ReconcileWithPrimaryAsync(session, !KnowsAnyHistoryOf(behind, _token), cancellationToken).ConfigureAwait(false) is not { } corrected)
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
}
