using System.Diagnostics;
using ServerlessRyw.Cluster.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Cluster.Tests;

/// <summary>
/// The acceptance runs: chained invocations writing keys on every shard of a real cluster whose slot-0 shard
/// replicates 50 ms late. Token mode reads nothing stale; replica-unsafe mode, same setup, does; a slot migrating
/// away from the lagged shard and back during the run changes nothing.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class RywSessionClusterChainTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int Hops = 500;
    private const int Lanes = 10;
    private static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task ReadAsync_ChainAcrossShardsWithLaggedReplica_ReadsNothingStale()
    {
        fixture.Cluster.Lag = Lag;
        RywClient[] instances = [await fixture.CreateClientAsync(), await fixture.CreateClientAsync()];
        var keys = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, Lanes, "chain");

        var result = await ClusterChains.RunAsync(instances, keys, Hops);

        var stats = Report("token", result, instances);
        Assert.Equal(Hops, result.Hops);
        Assert.True(result.Stale == 0, string.Join(Environment.NewLine, result.StaleExamples));

        // Not by reading primaries: most reads were served by replicas, and the lagged shard's reads waited for it.
        Assert.True(stats.ReplicaReads > result.Reads * 8 / 10, stats.ToString());
        Assert.True(stats[RywReadOutcome.WaitedHit] > 0, stats.ToString());
        Assert.Equal(0, stats.TokenOverflows);
    }

    [Fact]
    public async Task ReadAsync_ReplicaUnsafeChainWithLaggedReplica_ReadsStaleValues()
    {
        fixture.Cluster.Lag = Lag;
        var unsafeMode = new RywOptions { Mode = RywMode.ReplicaUnsafe };
        RywClient[] instances = [await fixture.CreateClientAsync(unsafeMode), await fixture.CreateClientAsync(unsafeMode)];
        var keys = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, Lanes, "unsafe");

        var result = await ClusterChains.RunAsync(instances, keys, Hops);

        var stats = Report("replica-unsafe", result, instances);
        Assert.True(result.Stale > 0, "The lagged shard's replica served every read up to date: the lag was not injected.");
        Assert.Equal(result.Reads, stats[RywReadOutcome.Replica]);
    }

    [Fact]
    public async Task ReadAsync_SlotMigratesAwayAndBackDuringChain_ReadsNothingStale()
    {
        fixture.Cluster.Lag = Lag;
        var cluster = fixture.Cluster;
        RywClient[] instances = [await fixture.CreateClientAsync(), await fixture.CreateClientAsync()];
        var connection = fixture.Connect();

        // Every lane also writes a key of one slot of the lagged shard: that slot moves to another shard and back.
        var tag = Enumerable.Range(0, 10_000).Select(i => $"mig{i}").First(t => fixture.InitialShardOf(connection.HashSlot($"{{{t}}}")) == cluster.LaggedShard);
        var slot = connection.HashSlot($"{{{tag}}}");
        var keys = ClusterChains.KeysAcrossShards(connection, cluster.Shards, Lanes, "migration", lane => [(RedisKey)$"{{{tag}}}:lane{lane}"]);

        var completed = 0;
        var hopsAt = new List<int>();
        async Task WaitForHopsAsync(int hops)
        {
            while (Volatile.Read(ref completed) < hops)
            {
                await Task.Delay(5);
            }
        }

        var migrations = Task.Run(async () =>
        {
            await WaitForHopsAsync(Hops / 5);
            hopsAt.Add(Volatile.Read(ref completed));
            await cluster.MigrateSlotAsync(slot, cluster.LaggedShard, cluster.Shards[1], TimeSpan.FromMilliseconds(15));
            await cluster.WaitForSlotOwnerAsync(slot, cluster.Shards[1]);
            hopsAt.Add(Volatile.Read(ref completed));
            await WaitForHopsAsync(Hops * 3 / 5);
            hopsAt.Add(Volatile.Read(ref completed));
            await cluster.MigrateSlotAsync(slot, cluster.Shards[1], cluster.LaggedShard, TimeSpan.FromMilliseconds(15));
            await cluster.WaitForSlotOwnerAsync(slot, cluster.LaggedShard);
            hopsAt.Add(Volatile.Read(ref completed));
        });

        var result = await ClusterChains.RunAsync(instances, keys, Hops, done =>
        {
            Volatile.Write(ref completed, done);
            return Task.CompletedTask;
        }, migrations);
        await migrations;

        var stats = Report("token + slot migration", result, instances);
        output.WriteLine($"slot {slot} left the lagged shard at hop {hopsAt[0]}, owned by shard 2 from hop {hopsAt[1]}; moved back from hop {hopsAt[2]}, home again at hop {hopsAt[3]}");
        Assert.True(hopsAt[3] < result.Hops, "Both migrations must happen while the chains run.");
        Assert.True(result.Stale == 0, string.Join(Environment.NewLine, result.StaleExamples));
        Assert.True(stats.ReplicaReads > result.Reads / 2, stats.ToString());
    }

    [Fact]
    public async Task ReadAsync_OnlyMigratingSlotWrittenWhileItMoves_ReadsNothingStale()
    {
        const int SoloHops = 500;
        fixture.Cluster.Lag = Lag;
        var cluster = fixture.Cluster;
        RywClient[] instances = [await fixture.CreateClientAsync(), await fixture.CreateClientAsync()];
        var connection = fixture.Connect();

        // Each lane's only key lives in one slot of the lagged shard, so the token's position for that shard is as
        // old as the lane's last write there: nothing else pushes it past the migration's deletions.
        var tag = Enumerable.Range(0, 10_000).Select(i => $"solo{i}").First(t => fixture.InitialShardOf(connection.HashSlot($"{{{t}}}")) == cluster.LaggedShard);
        var slot = connection.HashSlot($"{{{tag}}}");
        var keys = Enumerable.Range(0, Lanes).Select(lane => (IReadOnlyList<RedisKey>)[(RedisKey)$"{{{tag}}}:lane{lane}"]).ToList();

        var completed = 0;
        var migrations = Task.Run(async () =>
        {
            while (Volatile.Read(ref completed) < SoloHops / 10)
            {
                await Task.Delay(5);
            }

            await cluster.MigrateSlotAsync(slot, cluster.LaggedShard, cluster.Shards[2], TimeSpan.FromMilliseconds(15));
            await cluster.WaitForSlotOwnerAsync(slot, cluster.Shards[2]);
            while (Volatile.Read(ref completed) < SoloHops / 2)
            {
                await Task.Delay(5);
            }

            await cluster.MigrateSlotAsync(slot, cluster.Shards[2], cluster.LaggedShard, TimeSpan.FromMilliseconds(15));
            await cluster.WaitForSlotOwnerAsync(slot, cluster.LaggedShard);
            return Volatile.Read(ref completed);
        });

        var result = await ClusterChains.RunAsync(instances, keys, SoloHops, done =>
        {
            Volatile.Write(ref completed, done);
            return Task.CompletedTask;
        }, migrations);
        var homeAt = await migrations;

        Report("token + slot migration, one key per lane", result, instances);
        Assert.True(homeAt < result.Hops, "Both migrations must happen while the chains run.");
        Assert.True(result.Stale == 0, string.Join(Environment.NewLine, result.StaleExamples));
    }

    private RywStatistics Report(string mode, ChainResult result, IEnumerable<RywClient> instances)
    {
        var stats = instances.Select(static c => c.Statistics).Aggregate(Sum);
        output.WriteLine($"{mode}: {result.Hops} hops, {result.Reads} reads, {result.Stale} stale, {result.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"  {stats}");
        foreach (var example in result.StaleExamples)
        {
            output.WriteLine($"  stale: {example}");
        }

        return stats;
    }

    // Statistics are snapshots; adding two is their difference from a negated empty one.
    private static RywStatistics Sum(RywStatistics a, RywStatistics b) => a.Since(default(RywStatistics).Since(b));
}
