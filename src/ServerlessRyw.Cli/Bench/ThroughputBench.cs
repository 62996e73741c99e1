using System.Diagnostics;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// Reads per second with many concurrent sessions: raw replica GETs against token-mode fast-path reads (each a
/// new session from the token text), in rounds ordered raw, toolkit, toolkit, raw, … so that drifts in machine
/// load hit both sides equally.
/// </summary>
internal static class ThroughputBench
{
    public static async Task<ThroughputResult> RunAsync(
        BenchCluster cluster, RywClient tokenClient, int sessions, int rounds, TimeSpan roundDuration, string keyPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(tokenClient);
        var replica = cluster.Replica.GetDatabase();
        var keys = new RedisKey[sessions];
        var tokens = new string[sessions];
        var reads = new Func<IDatabaseAsync, Task<RedisValue>>[sessions];
        for (var i = 0; i < sessions; i++)
        {
            var key = keys[i] = $"{keyPrefix}:{i}";
            var writer = tokenClient.CreateSession();
            await writer.WriteAsync(db => db.StringSetAsync(key, i), cancellationToken).ConfigureAwait(false);
            tokens[i] = (await writer.GetTokenAsync(cancellationToken).ConfigureAwait(false)).ToString();
            reads[i] = db => db.StringGetAsync(key);
        }

        // Let the replica apply every write, then one read records its offset so all tokens are known covered.
        await cluster.Servers.WaitForReplicasInSyncAsync(null, cancellationToken).ConfigureAwait(false);
        _ = await tokenClient.CreateSession(tokens[^1]).ReadAsync(reads[^1], TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);

        var before = tokenClient.Statistics;
        long rawOps = 0, toolkitOps = 0;
        TimeSpan rawTime = TimeSpan.Zero, toolkitTime = TimeSpan.Zero;
        var perRound = new double[rounds];
        for (var round = 0; round < rounds; round++)
        {
            // ABBA: raw, toolkit, toolkit, raw, ...
            var toolkit = (round % 4) is 1 or 2;
            var started = Stopwatch.GetTimestamp();
            var stopAt = started + (long)(roundDuration.TotalSeconds * Stopwatch.Frequency);
            var counts = new long[sessions];
            var loops = new Task[sessions];
            for (var i = 0; i < sessions; i++)
            {
                var session = i;
                loops[i] = Task.Run(
                    async () =>
                    {
                        long done = 0;
                        while (Stopwatch.GetTimestamp() < stopAt)
                        {
                            if (toolkit)
                            {
                                _ = await tokenClient.CreateSession(tokens[session]).ReadAsync(reads[session], cancellationToken).ConfigureAwait(false);
                            }
                            else
                            {
                                _ = await replica.StringGetAsync(keys[session]).ConfigureAwait(false);
                            }

                            done++;
                        }

                        counts[session] = done;
                    },
                    cancellationToken);
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            perRound[round] = counts.Sum() / elapsed.TotalSeconds;
            if (toolkit)
            {
                toolkitOps += counts.Sum();
                toolkitTime += elapsed;
            }
            else
            {
                rawOps += counts.Sum();
                rawTime += elapsed;
            }
        }

        var outcomes = tokenClient.Statistics.Since(before);
        return new ThroughputResult(
            sessions,
            rawOps / Math.Max(rawTime.TotalSeconds, 1e-9),
            toolkitOps / Math.Max(toolkitTime.TotalSeconds, 1e-9),
            outcomes.Reads - outcomes[RywReadOutcome.ReplicaHit],
            rounds,
            MedianPairRatio(perRound));
    }

    /// <summary>
    /// The median over adjacent round pairs (one raw, one toolkit each, thanks to the ABBA order) of toolkit/raw:
    /// a burst of load from another process spoils one pair, not the result.
    /// </summary>
    internal static double MedianPairRatio(IReadOnlyList<double> perRound)
    {
        ArgumentNullException.ThrowIfNull(perRound);
        var ratios = new List<double>();
        for (var pair = 0; pair + 1 < perRound.Count; pair += 2)
        {
            var toolkitFirst = (pair % 4) is 1 or 2;
            var (toolkit, raw) = toolkitFirst ? (perRound[pair], perRound[pair + 1]) : (perRound[pair + 1], perRound[pair]);
            ratios.Add(Statistics.Ratio.Of(toolkit, raw));
        }

        ratios.Sort();
        return ratios.Count == 0 ? double.NaN : Statistics.Percentiles.NearestRank(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ratios), 50);
    }
}
