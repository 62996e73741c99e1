using ServerlessRyw.LocalRedis;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Faults;

/// <summary>
/// The moment of a failover when the application's connection sees two primaries: the promoted replica (whose history
/// continues the old one) and the old primary, not demoted yet, which StackExchange.Redis may keep sending commands to.
/// Made deterministic here: a replica promoted while the old primary stays a primary, and the connection's tie-breaker
/// naming the old one. A write that went to the promoted server must be covered by its token, and a read that needs the
/// primary must see it; the application's own connection, in the same setup, reads the old primary's value.
/// </summary>
public sealed class TwoPrimariesTests(ITestOutputHelper output)
{
    private const string TieBreakerKey = "__Booksleeve_TieBreak"; // StackExchange.Redis's default tie-breaker key
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };

    [Fact]
    public async Task GetTokenAndReadAsync_ConnectionSeesOldAndPromotedPrimary_TokenAndReadFollowThePromotedOne()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        var old = lab.Primary.EndPoint;
        var promoted = lab.Replicas[0].EndPoint;
        var key = $"two-primaries:{Guid.NewGuid():N}";
        await RespClient.ExecuteAsync(old, "SET", key, "before the failover");
        await RespClient.ExecuteAsync(old, "SET", TieBreakerKey, old); // replicated: both servers elect the old primary
        await lab.Servers.WaitForReplicasInSyncAsync();
        await FaultLab.PromoteAsync(promoted);
        await RespClient.ExecuteAsync(promoted, "SET", key, "written on the promoted primary"); // a write that survives
        var (promotedHistory, _) = await FaultLab.PositionAsync(promoted);

        using var client = new RywClient(lab.Connect($"{old},{promoted}"), [], Options);
        var appRead = (string?)await client.PrimaryConnection.GetDatabase().StringGetAsync(key);

        var writer = client.CreateSession();
        writer.MarkWritten(); // the write above, announced
        var token = await writer.GetTokenAsync();
        var read = (string?)await client.CreateSession(token.ToString()).ReadAsync(db => db.StringGetAsync(key));

        // The next invocation in a fresh process: its probe connection to the newest primary is opened by this very read.
        using var nextProcess = new RywClient(lab.Connect($"{old},{promoted}"), [], Options);
        var nextRead = (string?)await nextProcess.CreateSession(token.ToString()).ReadAsync(db => db.StringGetAsync(key));

        output.WriteLine($"application connection read '{appRead}'; token {token}; toolkit read '{read}', in a fresh process '{nextRead}'; {client.Statistics}");
        Assert.Equal("before the failover", appRead); // the setup really sends the application's commands to the old primary
        Assert.False(token.IsOverflowed, $"the newest primary answered: {token}");
        Assert.Equal(1, token.Positions.Length);
        Assert.Equal(promotedHistory, token.Positions[0].ReplicationId);
        Assert.Equal("written on the promoted primary", read);
        Assert.Equal("written on the promoted primary", nextRead);
    }
}
