using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Tests.Routing;

public sealed class ReplicationProbeUnitTests
{
    private const string Id = "8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e";

    [Fact]
    public void Parse_ReplicaReply_ReadsPositionAndNoPreviousHistory()
    {
        var reply = Reply("slave", Id, "1234", "0000000000000000000000000000000000000000", "-1");

        var state = ReplicationProbe.Parse(reply);

        Assert.NotNull(state);
        Assert.Equal((Id, 1234L, false), (state.ReplicationId, state.Offset, state.IsPrimary));
        Assert.Null(state.PreviousReplicationId);
    }

    [Fact]
    public void Parse_PromotedPrimary_KeepsPreviousHistory()
    {
        var state = ReplicationProbe.Parse(Reply("master", Id, "900", "1111111111111111111111111111111111111111", "800"));

        Assert.NotNull(state);
        Assert.True(state.IsPrimary);
        Assert.Equal(("1111111111111111111111111111111111111111", 800L), (state.PreviousReplicationId, state.PreviousHistoryEnd));
    }

    [Theory]
    [InlineData("", "1")]
    [InlineData(Id, "")]
    [InlineData(Id, "-5")]
    [InlineData("bad id!", "5")]
    public void Parse_UnusableReply_ReturnsNull(string id, string offset) =>
        Assert.Null(ReplicationProbe.Parse(Reply("slave", id, offset, "", "")));

    [Fact]
    public void Parse_NotInfoText_ReturnsNull() =>
        Assert.Null(ReplicationProbe.Parse(RedisResult.Create((RedisValue)"OK")));

    [Fact]
    public void Parse_InfoReplicationOfAReplica_ReadsProcessedOffset()
    {
        var info = "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_link_status:up\r\n" +
            "slave_read_repl_offset:2000\r\nslave_repl_offset:1990\r\nmaster_replid:" + Id + "\r\n" +
            "master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:1990\r\nsecond_repl_offset:-1\r\n";

        var state = ReplicationProbe.Parse(RedisResult.Create((RedisValue)info));

        Assert.NotNull(state);
        Assert.Equal((Id, 1990L, false, (string?)null), (state.ReplicationId, state.Offset, state.IsPrimary, state.PreviousReplicationId));
    }

    [Fact]
    public void Parse_TooFewFields_ReturnsNull() =>
        Assert.Null(ReplicationProbe.Parse(["master", Id]));

    private static string?[] Reply(params string[] fields) => fields;
}
