using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests;

[Collection(RedisServerTests.Name)]
public sealed class RywSessionRoutingTests(ReplicaSetFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task ReadAsync_ReplicaKnownToBeCaughtUp_SendsExactlyOneCommandToIt()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var client = new RywClient(servers.Connect(servers.PrimaryEndPoint), [servers.Connect(servers.PromptReplicaEndPoint)]);
        RedisKey key = $"fast:{Guid.NewGuid():N}";
        var session = client.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        await servers.Servers.WaitForReplicasInSyncAsync();
        Assert.Equal("fresh", await session.ReadAsync(db => db.StringGetAsync(key))); // learns the replica's offset

        var before = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("fresh", await session.ReadAsync(db => db.StringGetAsync(key)));
        }

        var after = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);
        output.WriteLine($"fast path, 20 reads: replica saw get +{CommandStats.Delta(before, after, "get")}, probes +{CommandStats.ProbeDelta(before, after)}");
        Assert.Equal(20, CommandStats.Delta(before, after, "get"));
        Assert.Equal(0, CommandStats.ProbeDelta(before, after));
        Assert.Equal(20, client.Statistics[RywReadOutcome.ReplicaHit]);
    }

    [Fact]
    public async Task ReadAsync_ReplicaNotKnownToBeCaughtUp_ProbesAndReadsInOneRoundTrip()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        var roundTrip = TimeSpan.FromMilliseconds(200);

        // 100 ms each way between the client and the replica: every round trip to it costs 200 ms.
        await using var slowLink = DelayingTcpProxy.Start(servers.PromptReplicaEndPoint, roundTrip / 2, delayBothDirections: true);
        // A replica timeout well above the round trip: this test counts round trips, a timed-out attempt is another test.
        using var client = new RywClient(servers.Connect(servers.PrimaryEndPoint), [servers.Connect(slowLink.EndPoint)], new RywOptions { ReplicaTimeout = roundTrip * 5 });
        RedisKey key = $"probe:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        await servers.Servers.WaitForReplicasInSyncAsync();
        await client.CreateSession().ReadAsync(db => db.StringGetAsync("warm-up: connect and cache the script"));

        var reader = client.CreateSession(writer.Token.ToString());
        var before = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);
        var clock = Stopwatch.StartNew();
        var value = await reader.ReadAsync(db => db.StringGetAsync(key));
        var elapsed = clock.Elapsed;
        var after = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);

        output.WriteLine($"probe+read: {elapsed.TotalMilliseconds:0} ms over a {roundTrip.TotalMilliseconds} ms round trip; replica saw get +{CommandStats.Delta(before, after, "get")}, probes +{CommandStats.ProbeDelta(before, after)}; {client.Statistics}");
        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[RywReadOutcome.ProbedHit]);
        Assert.Equal(1, CommandStats.Delta(before, after, "get"));
        Assert.Equal(1, CommandStats.ProbeDelta(before, after));
        Assert.InRange(elapsed, roundTrip * 0.9, roundTrip * 1.75); // two sequential trips would take 400 ms
    }

    [Fact]
    public async Task ReadAsync_LagAboveBudget_ReadsPrimaryWithinBudgetAndCountsFallback()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(400));
        var budget = TimeSpan.FromMilliseconds(50);
        using var client = servers.CreateLaggedClient(new RywOptions { WaitBudget = budget });
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"budget:{Guid.NewGuid():N}";

        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        var reader = client.CreateSession(writer.Token.ToString());
        var clock = Stopwatch.StartNew();
        var value = await reader.ReadAsync(db => db.StringGetAsync(key));
        var elapsed = clock.Elapsed;
        var unsafeValue = await baseline.CreateSession().ReadAsync(db => db.StringGetAsync(key));

        output.WriteLine($"lag 400 ms, budget 50 ms: answered in {elapsed.TotalMilliseconds:0} ms; {client.Statistics}");
        Assert.Equal("fresh", value);
        Assert.True(unsafeValue.IsNull, "without the toolkit the lagging replica should not have the value yet");
        Assert.Equal(1, client.Statistics[RywReadOutcome.PrimaryFallback]);
        Assert.True(elapsed < budget + TimeSpan.FromMilliseconds(250), $"took {elapsed}");
        Assert.True(client.Statistics.TotalWait >= budget * 0.9);
    }

    [Fact]
    public async Task ReadAsync_LagWithinBudget_WaitsForTheReplicaInsteadOfThePrimary()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(30));
        using var client = servers.CreateLaggedClient(new RywOptions { WaitBudget = TimeSpan.FromMilliseconds(500) });
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"wait:{Guid.NewGuid():N}";

        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        var unsafeValue = await baseline.CreateSession().ReadAsync(db => db.StringGetAsync(key));
        var value = await client.CreateSession(writer.Token.ToString()).ReadAsync(db => db.StringGetAsync(key));

        Assert.True(unsafeValue.IsNull, "without the toolkit the replica 30 ms behind should not have the value yet");
        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[RywReadOutcome.WaitedHit]);
        Assert.Equal(0, client.Statistics[RywReadOutcome.PrimaryFallback]);
    }

    [Fact]
    public async Task ReadAsync_NoToken_ReadsReplicaWithoutProbing()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var client = new RywClient(servers.Connect(servers.PrimaryEndPoint), [servers.Connect(servers.PromptReplicaEndPoint)]);
        var before = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);

        await client.CreateSession().ReadAsync(db => db.StringGetAsync("no-token"));

        var after = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);
        Assert.Equal(1, CommandStats.Delta(before, after, "get"));
        Assert.Equal(0, CommandStats.ProbeDelta(before, after));
        Assert.Equal(1, client.Statistics[RywReadOutcome.Replica]);
    }

    [Fact]
    public async Task ReadAsync_AfterMarkWritten_CapturesTheWriteBeforeRouting()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        using var client = servers.CreateLaggedClient();
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"marked:{Guid.NewGuid():N}";

        var writer = client.CreateSession();
        var transaction = writer.Primary.CreateTransaction();
        _ = transaction.StringSetAsync(key, "fresh");
        Assert.True(await transaction.ExecuteAsync());
        writer.MarkWritten();
        Assert.True(writer.HasPendingWrite);
        var carried = await writer.GetTokenAsync();

        Assert.False(writer.HasPendingWrite);
        Assert.Equal("fresh", await client.CreateSession(carried).ReadAsync(db => db.StringGetAsync(key)));
        Assert.True((await baseline.CreateSession().ReadAsync(db => db.StringGetAsync(key))).IsNull);
    }

    [Fact]
    public async Task ReadAsync_SameSessionAfterItsOwnWrite_SeesTheWrite()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(100));
        using var client = servers.CreateLaggedClient();
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"own:{Guid.NewGuid():N}";
        RedisKey unsafeKey = $"own-unsafe:{Guid.NewGuid():N}";
        var session = client.CreateSession();
        var unsafeSession = baseline.CreateSession();

        await unsafeSession.WriteAsync(db => db.StringSetAsync(unsafeKey, "fresh"));
        var unsafeValue = await unsafeSession.ReadAsync(db => db.StringGetAsync(unsafeKey));
        await session.WriteAsync(db => db.StringSetAsync(key, "fresh"));

        Assert.Equal("fresh", await session.ReadAsync(db => db.StringGetAsync(key)));
        Assert.True(unsafeValue.IsNull, "the same write-then-read without the toolkit should miss the write");
    }

    [Fact]
    public async Task WriteAsync_DelegateAwaitsBetweenCommands_CapturesBothWrites()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(50));
        using var client = servers.CreateLaggedClient();
        var session = client.CreateSession();
        var first = $"first:{Guid.NewGuid():N}";
        var second = $"second:{Guid.NewGuid():N}";

        // The capture is sent after the delegate finished, so a delegate may await between its commands.
        await session.WriteAsync(async db =>
        {
            await db.StringSetAsync(first, "1");
            await db.StringSetAsync(second, "2");
        });

        var reader = client.CreateSession(await session.ExportAsync());
        Assert.Equal("2", await reader.ReadAsync(db => db.StringGetAsync(second)));
        Assert.Equal("1", await reader.ReadAsync(db => db.StringGetAsync(first)));
    }

    [Fact]
    public async Task WriteAsync_RedisRejectsTheCommand_SurfacesTheRedisError()
    {
        using var client = servers.CreateLaggedClient();
        RedisKey key = $"list:{Guid.NewGuid():N}";
        await servers.Connect(servers.PrimaryEndPoint).GetDatabase().ListLeftPushAsync(key, "x");

        await Assert.ThrowsAsync<RedisServerException>(() => client.CreateSession().WriteAsync(db => db.StringIncrementAsync(key)));
    }
}
