using System.Collections.Concurrent;
using System.Diagnostics;
using StackExchange.Redis;

namespace ServerlessRyw.Cluster.Tests.Infrastructure;

/// <summary>What a chain run saw.</summary>
public sealed record ChainResult(int Hops, int Reads, int Stale, IReadOnlyList<string> StaleExamples, TimeSpan Elapsed);

/// <summary>
/// Chains of stateless invocations over a cluster: hop N is a fresh session on one of the instances (alternating, so
/// consecutive hops never share a process's knowledge), created from the token text hop N-1 exported. It reads every
/// key hop N-1 wrote (one per shard and more), checks it sees hop N-1's value, then writes new values and exports.
/// With <c>runUntil</c> (a slot migration, a failover) the chains keep going until it is over and then some.
/// </summary>
public static class ClusterChains
{
    public static async Task<ChainResult> RunAsync(
        IReadOnlyList<RywClient> instances,
        IReadOnlyList<IReadOnlyList<RedisKey>> laneKeys,
        int hops,
        Func<int, Task>? afterHop = null,
        Task? runUntil = null,
        bool retryTransientErrors = false,
        CancellationToken cancellationToken = default)
    {
        var stale = 0;
        var reads = 0;
        var completed = 0;
        var examples = new ConcurrentQueue<string>();
        var perLane = hops / laneKeys.Count;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, laneKeys.Count), new ParallelOptions { MaxDegreeOfParallelism = laneKeys.Count, CancellationToken = cancellationToken }, async (lane, ct) =>
        {
            var keys = laneKeys[lane];
            var token = string.Empty;
            var written = new Dictionary<RedisKey, string>();
            // At least `hops` in all; with runUntil, on until it completes and every lane has made 20 more hops.
            var extra = 20;
            for (var hop = 0; hop < perLane || runUntil is { IsCompleted: false } || (runUntil is not null && extra-- > 0); hop++)
            {
                var session = instances[(lane + hop) % instances.Count].CreateSession(token);
                foreach (var (key, expected) in written)
                {
                    var value = await WithRetriesAsync(() => session.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags), ct).AsTask(), retryTransientErrors);
                    Interlocked.Increment(ref reads);
                    if (value != expected)
                    {
                        Interlocked.Increment(ref stale);
                        if (examples.Count < 10)
                        {
                            examples.Enqueue($"lane {lane} hop {hop}: {key} = '{value}', expected '{expected}'");
                        }
                    }
                }

                foreach (var key in keys)
                {
                    var value = $"{lane}:{hop}:{Guid.NewGuid():N}";
                    await WithRetriesAsync(() => session.WriteAsync(key, db => db.StringSetAsync(key, value), ct), retryTransientErrors);
                    written[key] = value;
                }

                token = await session.ExportAsync(ct);
                var done = Interlocked.Increment(ref completed);
                if (afterHop is not null)
                {
                    await afterHop(done);
                }
            }
        });

        return new ChainResult(completed, reads, stale, [.. examples], Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// During a failover StackExchange.Redis itself fails commands for a moment (the old primary is a replica now,
    /// or unreachable); an application retries them, and so does the chain when asked. A failed call reads nothing,
    /// so retrying cannot hide a stale read.
    /// </summary>
    private static async Task<T> WithRetriesAsync<T>(Func<Task<T>> call, bool retry)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (retry
                && exception is RedisException or RedisCommandException or TimeoutException
                && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>For each lane, one key per shard (by slot range), named so lanes never share keys.</summary>
    public static IReadOnlyList<IReadOnlyList<RedisKey>> KeysAcrossShards(
        IConnectionMultiplexer connection, IReadOnlyList<LocalShard> shards, int lanes, string prefix, Func<int, IEnumerable<RedisKey>>? extra = null)
    {
        var result = new List<IReadOnlyList<RedisKey>>();
        for (var lane = 0; lane < lanes; lane++)
        {
            var keys = new List<RedisKey>();
            for (var shard = 0; shard < shards.Count; shard++)
            {
                var end = shard + 1 < shards.Count ? shards[shard + 1].FirstSlot : 16384;
                for (var n = 0; ; n++)
                {
                    RedisKey key = $"{prefix}:lane{lane}:{n}";
                    var slot = connection.HashSlot(key);
                    if (slot >= shards[shard].FirstSlot && slot < end)
                    {
                        keys.Add(key);
                        break;
                    }
                }
            }

            keys.AddRange(extra?.Invoke(lane) ?? []);
            result.Add(keys);
        }

        return result;
    }
}
