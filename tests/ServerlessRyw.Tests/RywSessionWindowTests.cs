using Microsoft.Extensions.Time.Testing;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Tests;

[Collection(RedisServerTests.Name)]
public sealed class RywSessionWindowTests(ReplicaSetFixture servers)
{
    [Fact]
    public async Task ReadAsync_WindowMode_ReadsPrimaryWithinWindowAndReplicaAfter()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.Window, Window = TimeSpan.FromSeconds(2), TimeProvider = clock });
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        RedisKey key = $"window:{Guid.NewGuid():N}";

        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        var carried = writer.Token.ToString();
        var withinWindow = await client.CreateSession(carried).ReadAsync(db => db.StringGetAsync(key));
        var unsafeRead = await baseline.CreateSession(carried).ReadAsync(db => db.StringGetAsync(key));

        Assert.Equal("fresh", withinWindow);
        Assert.True(unsafeRead.IsNull);
        Assert.Equal(1, client.Statistics[RywReadOutcome.Primary]);

        clock.Advance(TimeSpan.FromSeconds(2.5));
        await client.CreateSession(carried).ReadAsync(db => db.StringGetAsync(key));
        Assert.Equal(1, client.Statistics[RywReadOutcome.Replica]);
    }

    [Fact]
    public async Task Import_WriteTimeFarInFuture_IsClampedSoTheWindowEnds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.Window, TimeProvider = clock });
        var forged = RywToken.FromWriteTime(clock.GetUtcNow().AddYears(10)).ToString();

        var session = client.CreateSession(forged);
        await session.ReadAsync(db => db.StringGetAsync("window-forged"));
        clock.Advance(TimeSpan.FromSeconds(3));
        await session.ReadAsync(db => db.StringGetAsync("window-forged"));

        Assert.Equal(1, client.Statistics[RywTokenRejection.BeyondPrimary]);
        Assert.Equal(1, client.Statistics[RywReadOutcome.Primary]);
        Assert.Equal(1, client.Statistics[RywReadOutcome.Replica]);
    }

    [Fact]
    public async Task ReadAsync_PrimaryOnlyMode_NeverReadsReplica()
    {
        using var client = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.PrimaryOnly });

        await client.CreateSession().ReadAsync(db => db.StringGetAsync("primary-only"));

        Assert.Equal(1, client.Statistics[RywReadOutcome.Primary]);
        Assert.Equal(0, client.Statistics.ReplicaReads);
    }
}
