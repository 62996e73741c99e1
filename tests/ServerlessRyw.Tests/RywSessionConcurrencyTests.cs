using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Tests;

[Collection(RedisServerTests.Name)]
public sealed class RywSessionConcurrencyTests(ReplicaSetFixture servers)
{
    [Fact]
    public async Task ReadAsync_64ConcurrentSessionsInterleaving_AllConsistentAndStaleWithoutToolkit()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(20));
        using var toolkit = servers.CreateLaggedClient();
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });

        var staleWithToken = await RunAsync(toolkit);
        var staleWithout = await RunAsync(baseline);

        Assert.Equal(0, staleWithToken);
        Assert.True(staleWithout > 0);
    }

    [Fact]
    public async Task Observe_UnderConcurrentReads_ReplicaOffsetKnowledgeNeverGoesBackwards()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(5));
        using var client = servers.CreateLaggedClient();
        var replica = client.ReplicaNodes[0];
        var regressions = 0;
        var samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            long last = -1;
            while (!stop.IsCancellationRequested)
            {
                if (replica.Known is { } known)
                {
                    samples++;
                    if (known.Offset < last)
                    {
                        regressions++;
                    }

                    last = known.Offset;
                }
            }
        });

        await RunAsync(client, sessions: 32, rounds: 10);
        await stop.CancelAsync();
        await sampler;

        Assert.True(samples > 0);
        Assert.Equal(0, regressions);
    }

    private static async Task<int> RunAsync(RywClient client, int sessions = 64, int rounds = 8)
    {
        var stale = 0;
        var tokens = new string[sessions];
        await Parallel.ForEachAsync(Enumerable.Range(0, sessions), new ParallelOptions { MaxDegreeOfParallelism = sessions }, async (n, ct) =>
        {
            RedisKey own = $"many:{Guid.NewGuid():N}";
            var session = client.CreateSession();
            for (var round = 0; round < rounds; round++)
            {
                await session.WriteAsync(db => db.StringSetAsync(own, round), ct);
                Volatile.Write(ref tokens[n], (await session.GetTokenAsync(ct)).ToString());

                // Read our own write, and a neighbour's key through the neighbour's published token.
                if ((int)await session.ReadAsync(db => db.StringGetAsync(own), ct) != round)
                {
                    Interlocked.Increment(ref stale);
                }

                var next = client.CreateSession(Volatile.Read(ref tokens[(n + 1) % sessions]));
                await next.ReadAsync(db => db.StringGetAsync(own), ct);
            }
        });

        return stale;
    }
}
