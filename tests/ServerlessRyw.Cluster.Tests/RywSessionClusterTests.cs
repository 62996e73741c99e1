using ServerlessRyw.Cluster.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Cluster.Tests;

/// <summary>Cluster behaviour beyond the acceptance chains: token shape, keyless calls, bad tokens, failover.</summary>
[Collection(ClusterTests.Name)]
public sealed class RywSessionClusterTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task WriteAsync_KeysOnEveryShard_TokenHasOnePositionPerShardHistory()
    {
        fixture.Cluster.Lag = Lag;
        var client = await fixture.CreateClientAsync();
        var keys = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, 1, $"shape:{Guid.NewGuid():N}")[0];
        var session = client.CreateSession();

        foreach (var key in keys)
        {
            await session.WriteAsync(key, db => db.StringSetAsync(key, "v"));
            await session.WriteAsync(key, db => db.StringSetAsync(key, "w"));
        }

        var token = await session.GetTokenAsync();
        var histories = new HashSet<string>();
        foreach (var shard in fixture.Cluster.Shards)
        {
            histories.Add(await MasterReplicationIdAsync(shard.PrimaryEndPoint));
        }

        Assert.Equal(3, token.Positions.Length);
        Assert.Equal(histories, token.Positions.ToArray().Select(static p => p.ReplicationId).ToHashSet());
        Assert.False(token.IsOverflowed);
        Assert.Equal(6, client.Statistics.Writes);
    }

    [Fact]
    public async Task ReadAsync_KeylessCalls_WriteCapturesEveryShardAndReadUsesThePrimary()
    {
        fixture.Cluster.Lag = Lag;
        var client = await fixture.CreateClientAsync();
        var keys = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, 1, $"keyless:{Guid.NewGuid():N}")[0];
        var writer = client.CreateSession();

        await writer.WriteAsync(db => Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "keyless"))));
        await writer.Primary.StringSetAsync(keys[0], "marked");
        writer.MarkWritten();
        var carried = await writer.ExportAsync();

        var before = client.Statistics;
        var reader = client.CreateSession(carried);
        var keyless = await reader.ReadAsync(db => db.StringGetAsync(keys[0]));
        var keyed = new List<RedisValue>();
        foreach (var key in keys)
        {
            keyed.Add(await reader.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags)));
        }

        var stats = client.Statistics.Since(before);
        output.WriteLine(stats.ToString());
        Assert.Equal(3, RywToken.Parse(carried).Positions.Length);
        Assert.Equal("marked", keyless);
        Assert.Equal(["marked", "keyless", "keyless"], keyed.Select(static v => (string?)v));
        Assert.Equal(1, stats[RywReadOutcome.PrimaryFallback]);
        Assert.Equal(3, stats.ReplicaReads);
    }

    [Fact]
    public async Task ReadAsync_ForgedOffsetOnLaggedShard_WaitsOnceBoundedThenNotAgain()
    {
        fixture.Cluster.Lag = Lag;
        var budget = TimeSpan.FromMilliseconds(200);
        var routed = new List<RywReadRoutedArguments>();
        var client = await fixture.CreateClientAsync(new RywOptions { WaitBudget = budget, OnReadRouted = r => { lock (routed) { routed.Add(r); } } });
        var key = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, 1, $"forged:{Guid.NewGuid():N}")[0][0];
        var writer = client.CreateSession();
        await writer.WriteAsync(key, db => db.StringSetAsync(key, "real"));
        var real = (await writer.GetTokenAsync()).Positions[0];
        var forged = RywToken.FromPosition(real with { Offset = real.Offset + 1_000_000_000 }).ToString();

        var session = client.CreateSession(forged);
        var value = await session.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags));
        await session.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags));

        // The toolkit's own account of each read (its clock, its probe count), not a wall-clock window.
        var (first, second) = (routed[^2], routed[^1]);
        output.WriteLine($"first: {first.Outcome} after {first.Waited.TotalMilliseconds:0} ms, {first.Probes} probes; second: {second.Outcome}, {second.Probes} probes; {client.Statistics}");
        Assert.Equal("real", value);
        Assert.True(first.Waited < budget + (Lag * 4), $"the first read waited {first.Waited}, past its budget and the lag");
        Assert.True(client.Statistics[RywTokenRejection.BeyondPrimary] >= 1);
        Assert.True(session.Token.Positions[0].Offset < real.Offset + 1_000_000_000);
        Assert.True(second.Outcome is RywReadOutcome.ReplicaHit or RywReadOutcome.ProbedHit, $"the second read was {second.Outcome}");
        Assert.Equal(TimeSpan.Zero, second.Waited);
    }

    [Fact]
    public async Task ReadAsync_OverflowedTokenOfForeignHistories_RequiresEveryPrimaryAndExportsCleanToken()
    {
        fixture.Cluster.Lag = Lag;
        var client = await fixture.CreateClientAsync();
        var keys = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, 1, $"overflow:{Guid.NewGuid():N}")[0];
        var writer = client.CreateSession();
        foreach (var key in keys)
        {
            await writer.WriteAsync(key, db => db.StringSetAsync(key, "written"));
        }

        // The real positions plus 17 histories no shard knows: more than a token holds, so positions are dropped
        // (maybe the real ones) and the token says so.
        var token = await writer.GetTokenAsync();
        for (var i = 0; i < RywToken.MaxPositions + 1; i++)
        {
            token = token.Merge(RywToken.FromPosition(new ReplicationPosition(Guid.NewGuid().ToString("N") + "00000000", 5)));
        }

        Assert.True(token.IsOverflowed);
        var reader = client.CreateSession(token.ToString());
        var values = new List<RedisValue>();
        foreach (var key in keys)
        {
            values.Add(await reader.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags)));
        }

        var exported = RywToken.Parse(await reader.ExportAsync());
        Assert.All(values, static v => Assert.Equal("written", v));
        Assert.Equal(1, client.Statistics.TokenOverflows);
        Assert.True(client.Statistics[RywTokenRejection.ForeignHistory] >= 1);
        Assert.False(exported.IsOverflowed);
        Assert.Equal(3, exported.Positions.Length);
    }

    [Fact]
    public async Task ReadAsync_MalformedToken_CountedAndReadsStillSeeWrites()
    {
        fixture.Cluster.Lag = Lag;
        var client = await fixture.CreateClientAsync();
        var key = ClusterChains.KeysAcrossShards(fixture.Connect(), fixture.Cluster.Shards, 1, $"malformed:{Guid.NewGuid():N}")[0][0];
        var writer = client.CreateSession();
        await writer.WriteAsync(key, db => db.StringSetAsync(key, "fresh"));

        // The caller evidently wrote something we cannot name: every primary's position is required.
        var reader = client.CreateSession("1.not-a-position");
        var value = await reader.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags));

        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[RywTokenRejection.Malformed]);
        Assert.Equal(3, reader.Token.Positions.Length);
    }

    [Fact]
    public async Task ReadAsync_ShardFailsOverAndBackDuringChain_ReadsNothingStale()
    {
        fixture.Cluster.Lag = Lag;
        var cluster = fixture.Cluster;
        var shard = cluster.Shards[2];
        // Applications running through failovers keep StackExchange.Redis's configuration check short.
        RywClient[] instances = [await fixture.CreateClientAsync(configCheckSeconds: 1), await fixture.CreateClientAsync(configCheckSeconds: 1)];
        var keys = ClusterChains.KeysAcrossShards(fixture.Connect(), cluster.Shards, 10, "failover");
        var completed = 0;
        var failovers = Task.Run(async () =>
        {
            while (Volatile.Read(ref completed) < 100)
            {
                await Task.Delay(5);
            }

            await cluster.FailoverAsync(shard.ReplicaEndPoint, shard.PrimaryEndPoint);
            var overAt = Volatile.Read(ref completed);
            while (Volatile.Read(ref completed) < overAt + 100)
            {
                await Task.Delay(5);
            }

            await cluster.FailoverAsync(shard.PrimaryEndPoint, shard.ReplicaEndPoint);
        });

        ChainResult result;
        try
        {
            result = await ClusterChains.RunAsync(instances, keys, 300, done =>
            {
                Volatile.Write(ref completed, done);
                return Task.CompletedTask;
            }, failovers, retryTransientErrors: true);
        }
        finally
        {
            // Whatever happened, the shard goes back to how the fixture made it for the other tests.
            Volatile.Write(ref completed, int.MaxValue / 2);
            await failovers.ContinueWith(static _ => { }, TaskScheduler.Default);
            if ((await LocalRedis.RespClient.ExecuteAsync(shard.PrimaryEndPoint, "INFO", "replication"))?.Contains("role:slave", StringComparison.Ordinal) == true)
            {
                await cluster.FailoverAsync(shard.PrimaryEndPoint, shard.ReplicaEndPoint);
            }
        }

        await failovers;

        var stats = instances.Select(static c => c.Statistics).Aggregate(static (a, b) => a.Since(default(RywStatistics).Since(b)));
        output.WriteLine($"failover: {result.Hops} hops, {result.Reads} reads, {result.Stale} stale, {result.Elapsed.TotalSeconds:0.0} s; {stats}");
        Assert.True(result.Stale == 0, string.Join(Environment.NewLine, result.StaleExamples));
        Assert.True(stats.ReplicaReads > result.Reads / 2, stats.ToString());
    }

    private static async Task<string> MasterReplicationIdAsync(string endPoint) =>
        LocalRedis.RedisInfo.Parse(await LocalRedis.RespClient.ExecuteAsync(endPoint, "INFO", "replication"))["master_replid"];
}
