namespace ServerlessRyw.Routing;

/// <summary>What one replica attempt of a waiting read decided.</summary>
internal enum AttemptVerdict
{
    /// <summary>This replica cannot serve yet: try the next one (and, after a round, wait and try again).</summary>
    TryNext,

    /// <summary>This replica served the read.</summary>
    Served,

    /// <summary>Stop waiting: only the primary can answer (a redirect, an unconfirmable token).</summary>
    ReadPrimary,
}

/// <summary>One probe-and-read on one replica, for <see cref="WaitLoop"/>; each topology brings its own.</summary>
internal interface IReplicaAttempt
{
    ValueTask<AttemptVerdict> TryAsync(RedisNode replica, CancellationToken cancellationToken);
}

/// <summary>How a waiting read ended: served by <see cref="Server"/>, or not (then the caller reads the primary).</summary>
internal readonly record struct WaitOutcome(RedisNode? Server, bool Slept, TimeSpan Waited, int Probes)
{
    public bool Served => Server is not null;
}

/// <summary>
/// The one wait loop, for both topologies: each round tries every connected replica of the group once (one lagging
/// replica must not make a read wait while another has caught up), then backs off — doubling from
/// <see cref="RoutingPolicy.InitialBackoff"/> to <see cref="RoutingPolicy.MaxBackoff"/> — until the budget is spent.
/// </summary>
internal static class WaitLoop
{
    public static async ValueTask<WaitOutcome> RunAsync<TAttempt>(
        ReplicaGroup group, RoutingPolicy policy, TimeSpan budget, TAttempt attempt, CancellationToken cancellationToken)
        where TAttempt : IReplicaAttempt
    {
        var started = policy.Time.GetTimestamp();
        var backoff = policy.InitialBackoff;
        var slept = false;
        var probes = 0;
        while (true)
        {
            var tried = 0;
            var round = group.StartRound();
            for (var i = 0; i < round.Count; i++)
            {
                if (round.At(i) is not { } replica)
                {
                    continue;
                }

                tried++;
                probes++;
                switch (await attempt.TryAsync(replica, cancellationToken).ConfigureAwait(false))
                {
                    case AttemptVerdict.Served:
                        return new WaitOutcome(replica, slept, slept ? policy.Time.GetElapsedTime(started) : TimeSpan.Zero, probes);
                    case AttemptVerdict.ReadPrimary:
                        return new WaitOutcome(null, slept, policy.Time.GetElapsedTime(started), probes);
                    default:
                        break;
                }
            }

            var remaining = budget - policy.Time.GetElapsedTime(started);
            if (tried == 0 || remaining <= TimeSpan.Zero)
            {
                return new WaitOutcome(null, slept, policy.Time.GetElapsedTime(started), probes);
            }

            await Task.Delay(backoff < remaining ? backoff : remaining, policy.Time, cancellationToken).ConfigureAwait(false);
            slept = true;
            backoff = backoff * 2 < policy.MaxBackoff ? backoff * 2 : policy.MaxBackoff;
        }
    }
}
