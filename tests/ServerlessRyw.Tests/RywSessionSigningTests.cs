using System.Text;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Tests;

[Collection(RedisServerTests.Name)]
public sealed class RywSessionSigningTests(ReplicaSetFixture servers)
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("a-signing-key-of-32-bytes-......");

    [Fact]
    public async Task Import_SigningRequired_AcceptsSignedAndRejectsUnsignedOrTampered()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        var options = new RywOptions { RequireSignedTokens = true, SigningKeys = { Key } };
        using var client = servers.CreateLaggedClient(options);
        RedisKey key = $"signed:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        var signed = await writer.ExportAsync();
        var (id, offset) = await ServerExtensions.ReadReplicationAsync(servers.PrimaryEndPoint);
        var forgedHuge = $"1.{id}:{offset + 1_000_000_000}";

        Assert.Equal(RywTokenStatus.Valid, client.CreateSession().Import(signed));
        Assert.Equal(RywTokenStatus.BadSignature, client.CreateSession().Import(writer.Token.ToString()));
        Assert.Equal(RywTokenStatus.BadSignature, client.CreateSession().Import(forgedHuge));
        Assert.Equal(RywTokenStatus.BadSignature, client.CreateSession().Import(signed.Replace(":", ":9", StringComparison.Ordinal)));
        Assert.Equal(3, client.Statistics[RywTokenRejection.BadSignature]);

        // A rejected token still reads fresh: the session waits for the primary's current position instead.
        using var baseline = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        Assert.True((await baseline.CreateSession(signed).ReadAsync(db => db.StringGetAsync(key))).IsNull);
        Assert.Equal("fresh", await client.CreateSession(forgedHuge).ReadAsync(db => db.StringGetAsync(key)));
        Assert.Equal("fresh", await client.CreateSession(signed).ReadAsync(db => db.StringGetAsync(key)));
    }

    [Fact]
    public async Task ExportAsync_WithoutKeys_IsThePlainToken()
    {
        using var client = servers.CreateLaggedClient();
        var session = client.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync($"plain:{Guid.NewGuid():N}", 1));

        Assert.Equal(session.Token.ToString(), await session.ExportAsync());
    }

    [Fact]
    public async Task GetTokenAsync_WithKeys_SignsAndTheSignatureSurvivesForwarding()
    {
        using var client = servers.CreateLaggedClient(new RywOptions { RequireSignedTokens = true, SigningKeys = { Key } });
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync($"forward:{Guid.NewGuid():N}", 1));

        var token = await writer.GetTokenAsync();
        var relay = client.CreateSession(token);        // a hop that reads nothing and forwards what it got
        var forwarded = await relay.GetTokenAsync();

        Assert.True(token.IsSigned);
        Assert.Equal(token.ToString(), forwarded.ToString());
        Assert.Equal(RywTokenStatus.Valid, client.CreateSession().Import(forwarded.ToString()));
        Assert.Equal(0, client.Statistics[RywTokenRejection.BadSignature]);
    }
}
