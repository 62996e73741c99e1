using System.Diagnostics;
using ServerlessRyw.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;

namespace ServerlessRyw.Tests;

/// <summary>Incoming tokens are untrusted: each case must read fresh, within budget, counted, and never pin the session.</summary>
[Collection(RedisServerTests.Name)]
public sealed class RywSessionTokenValidationTests(ReplicaSetFixture servers)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData("garbage", RywTokenRejection.Malformed)]
    [InlineData("1.abc:-5", RywTokenRejection.Malformed)]
    [InlineData("9.abc:5", RywTokenRejection.UnsupportedVersion)]
    [InlineData("TOO_LONG", RywTokenRejection.TooLong)]
    [InlineData("TOO_MANY", RywTokenRejection.TooManyPositions)]
    public async Task ReadAsync_UnreadableToken_CountsItAndStillReadsFresh(string incoming, RywTokenRejection expected)
    {
        incoming = incoming switch
        {
            "TOO_LONG" => "1.abc:" + new string('1', 2000),
            "TOO_MANY" => "1." + string.Join('.', Enumerable.Range(0, 17).Select(i => $"id{i}:1")),
            _ => incoming,
        };
        var (client, baseline, key) = await WriteBehindLagAsync();
        using var _ = client;
        using var __ = baseline;

        // The writer's token was mangled on the way: the reader cannot name the write, so it waits for the
        // primary's current position, which covers it.
        var session = client.CreateSession(incoming);
        var value = await session.ReadAsync(db => db.StringGetAsync(key));

        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[expected]);
        Assert.True((await baseline.CreateSession(incoming).ReadAsync(db => db.StringGetAsync(key))).IsNull);
    }

    [Fact]
    public async Task ReadAsync_OffsetFarBeyondPrimary_AnswersWithinBudgetAndDoesNotPinTheSession()
    {
        var (client, baseline, key) = await WriteBehindLagAsync();
        using var _ = client;
        using var __ = baseline;
        var (id, primaryOffset) = await ServerExtensions.ReadReplicationAsync(servers.PrimaryEndPoint);
        var forged = $"1.{id}:{primaryOffset + 1_000_000_000_000L}";

        var session = client.CreateSession(forged);
        var clock = Stopwatch.StartNew();
        var value = await session.ReadAsync(db => db.StringGetAsync(key));
        var elapsed = clock.Elapsed;

        Assert.Equal("fresh", value);
        Assert.True(elapsed < Budget + TimeSpan.FromMilliseconds(250), $"took {elapsed}");
        Assert.Equal(1, client.Statistics[RywTokenRejection.BeyondPrimary]);
        Assert.True(session.Token.TryGetOffset(id, out var corrected));
        Assert.InRange(corrected, primaryOffset, primaryOffset + 10_000);

        // No permanent pin: once the replica catches up, the same session reads it again.
        await servers.SetLagAsync(TimeSpan.Zero);
        var before = client.Statistics;
        Assert.Equal("fresh", await session.ReadAsync(db => db.StringGetAsync(key)));
        var after = client.Statistics.Since(before);
        Assert.Equal(1, after.ReplicaReads);
        Assert.True((await baseline.CreateSession(forged).ReadAsync(db => db.StringGetAsync("unrelated"))).IsNull);
    }

    [Fact]
    public async Task ReadAsync_ForeignHistory_CountsItAndReadsFresh()
    {
        var (client, baseline, key) = await WriteBehindLagAsync();
        using var _ = client;
        using var __ = baseline;
        var foreign = "1.0123456789abcdef0123456789abcdef01234567:42";

        var value = await client.CreateSession(foreign).ReadAsync(db => db.StringGetAsync(key));

        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[RywTokenRejection.ForeignHistory]);
        Assert.True((await baseline.CreateSession(foreign).ReadAsync(db => db.StringGetAsync(key))).IsNull);
    }

    [Fact]
    public async Task ReadAsync_HonestTokenFromAnotherProcess_NeedsNoPrimaryProbeOnceReplicaCaughtUp()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var writerProcess = servers.CreateLaggedClient();
        using var readerProcess = servers.CreateLaggedClient();
        RedisKey key = $"honest:{Guid.NewGuid():N}";
        var writer = writerProcess.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        await servers.Servers.WaitForReplicasInSyncAsync();

        // The reader's own probe connection opens in the background, and its handshake sends INFO: let it finish first.
        Assert.True(await Eventually.WithinAsync(() => readerProcess.ProbeConnection?.IsConnected == true, TimeSpan.FromSeconds(5)));
        var primaryBefore = await CommandStats.ReadAsync(servers.PrimaryEndPoint);

        var value = await readerProcess.CreateSession(writer.Token.ToString()).ReadAsync(db => db.StringGetAsync(key));

        var primaryAfter = await CommandStats.ReadAsync(servers.PrimaryEndPoint);
        Assert.Equal("fresh", value);
        Assert.Equal(0, CommandStats.ProbeDelta(primaryBefore, primaryAfter));
        Assert.Equal(0, readerProcess.Statistics[RywTokenRejection.BeyondPrimary] + readerProcess.Statistics[RywTokenRejection.ForeignHistory]);
    }

    /// <summary>Writes "fresh" on the primary behind 300 ms of replica lag, with no token captured anywhere.</summary>
    private async Task<(RywClient Client, RywClient Baseline, RedisKey Key)> WriteBehindLagAsync()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(300));
        var client = servers.CreateLaggedClient(new RywOptions { WaitBudget = Budget });
        var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"hostile:{Guid.NewGuid():N}";
        await servers.Connect(servers.PrimaryEndPoint).GetDatabase().StringSetAsync(key, "fresh");
        return (client, baseline, key);
    }
}
