using StackExchange.Redis;

namespace ServerlessRyw.Tests.Infrastructure;

/// <summary>Chained stateless invocations: one session writes and exports its token, a fresh one imports it and reads.</summary>
public static class Chains
{
    /// <summary>Runs <paramref name="iterations"/> write→read hops over <paramref name="lanes"/> keys at once; returns stale reads.</summary>
    public static async Task<int> CountStaleReadsAsync(RywClient client, string prefix, int iterations, int lanes = 10)
    {
        var stale = 0;
        var perLane = iterations / lanes;
        await Parallel.ForEachAsync(Enumerable.Range(0, lanes), new ParallelOptions { MaxDegreeOfParallelism = lanes }, async (lane, cancellationToken) =>
        {
            RedisKey key = $"{prefix}:{Guid.NewGuid():N}:{lane}";
            for (var i = 0; i < perLane; i++)
            {
                var value = $"v{i}";

                // Invocation N: writes, returns; only the token text leaves it.
                var writer = client.CreateSession();
                await writer.WriteAsync(db => db.StringSetAsync(key, value), cancellationToken);
                var carried = (await writer.GetTokenAsync(cancellationToken)).ToString();

                // Invocation N+1: another instance, created from the carried text alone.
                var reader = client.CreateSession(carried);
                var read = await reader.ReadAsync(db => db.StringGetAsync(key), cancellationToken);
                if (read != value)
                {
                    Interlocked.Increment(ref stale);
                }
            }
        });

        return stale;
    }
}
