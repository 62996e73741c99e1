using ServerlessRyw.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests;

[Collection(RedisServerTests.Name)]
public sealed class RywSessionChainTests(ReplicaSetFixture servers, ITestOutputHelper output)
{
    private const int Iterations = 200;

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(200)]
    public async Task ReadAsync_ChainedThroughLaggingReplica_NeverStaleWithTokenButStaleWithout(int lagMs)
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(lagMs));
        using var toolkit = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.Token });
        using var unsafeBaseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });

        var staleWithToken = await Chains.CountStaleReadsAsync(toolkit, "chain-token", Iterations);
        var staleWithout = await CountUnsafeStaleReadsAsync(unsafeBaseline);

        output.WriteLine($"lag {lagMs} ms, {Iterations} hops: token mode stale {staleWithToken}; replica-unsafe stale {staleWithout.Stale} in {staleWithout.Hops} hops; token outcomes: {toolkit.Statistics}");
        Assert.Equal(0, staleWithToken);
        Assert.True(staleWithout.Stale > 0, $"the same chain without the toolkit read no stale value at {lagMs} ms: the setup proves nothing");
        var stats = toolkit.Statistics;
        Assert.Equal(Iterations, stats.Reads);
        if (lagMs >= 50)
        {
            // At this lag the replica cannot have the value yet when the next hop reads at once.
            Assert.Equal(0, stats[RywReadOutcome.ReplicaHit] + stats[RywReadOutcome.Replica]);
        }
    }

    /// <summary>
    /// With no injected lag a replica is usually (not always: replication is never instant) caught up by the time
    /// the next hop reads, so the same loop is repeated until it shows the stale read it exists to catch.
    /// </summary>
    private static async Task<(int Stale, int Hops)> CountUnsafeStaleReadsAsync(RywClient client)
    {
        var stale = 0;
        var hops = 0;
        for (var round = 0; round < 25 && stale == 0; round++)
        {
            stale += await Chains.CountStaleReadsAsync(client, "chain-unsafe", Iterations);
            hops += Iterations;
        }

        return (stale, hops);
    }
}
