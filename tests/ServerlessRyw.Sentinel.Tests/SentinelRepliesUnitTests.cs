using ServerlessRyw.Topology;

namespace ServerlessRyw.Sentinel.Tests;

public sealed class SentinelRepliesUnitTests
{
    private static KeyValuePair<string, string>[] Fields(params string[] pairs) =>
        [.. pairs.Chunk(2).Select(p => new KeyValuePair<string, string>(p[0], p[1]))];

    private static KeyValuePair<string, string>[] Master(string ip = "10.0.0.1", string port = "6379", string epoch = "3") =>
        Fields("name", "mymaster", "ip", ip, "port", port, "flags", "master", "config-epoch", epoch);

    private static KeyValuePair<string, string>[] Replica(string ip, string port, string flags = "slave", string link = "ok", string offset = "42") =>
        Fields("name", $"{ip}:{port}", "ip", ip, "port", port, "flags", flags, "master-link-status", link, "slave-repl-offset", offset);

    [Fact]
    public void Read_HealthyReplicas_ReturnsPrimaryEpochAndReplicas()
    {
        SentinelView? view = SentinelReplies.Read(Master(), [Replica("10.0.0.2", "6379"), Replica("10.0.0.3", "6380", offset: "7")], EndPointAllowList.AllowAll);

        Assert.NotNull(view);
        Assert.Equal("10.0.0.1:6379", view.PrimaryEndPoint);
        Assert.Equal(3, view.ConfigEpoch);
        Assert.Equal(["10.0.0.2:6379", "10.0.0.3:6380"], view.Replicas.Select(r => r.EndPoint));
        Assert.Equal(7, view.Replicas[1].ReplicationOffset);
        Assert.Equal(0, view.Rejected);
    }

    [Theory]
    [InlineData("slave,s_down", "ok")]
    [InlineData("slave,s_down,o_down", "ok")]
    [InlineData("slave,disconnected", "ok")]
    [InlineData("slave", "err")]
    [InlineData("master", "ok")]
    public void Read_DownOrUnlinkedReplica_LeavesItOut(string flags, string link)
    {
        SentinelView? view = SentinelReplies.Read(Master(), [Replica("10.0.0.2", "6379", flags, link), Replica("10.0.0.3", "6379")], EndPointAllowList.AllowAll);

        Assert.Equal("10.0.0.3:6379", Assert.Single(view!.Replicas).EndPoint);
        Assert.Equal(1, view.Rejected);
    }

    [Fact]
    public void Read_AllowListWithHostMap_MapsThenFilters()
    {
        var allowList = new EndPointAllowList(["public-b:6379"], [new("10.0.0.3", "public-b"), new("10.0.0.2", "public-a")]);

        SentinelView? view = SentinelReplies.Read(Master(), [Replica("10.0.0.2", "6379"), Replica("10.0.0.3", "6379")], allowList);

        Assert.Equal("public-b:6379", Assert.Single(view!.Replicas).EndPoint);
    }

    [Theory]
    [InlineData("", "6379")]
    [InlineData("10.0.0.1", "")]
    [InlineData("10.0.0.1", "70000")]
    public void Read_MasterWithoutAddress_ReturnsNull(string ip, string port) =>
        Assert.Null(SentinelReplies.Read(Master(ip, port), [], EndPointAllowList.AllowAll));

    [Fact]
    public void Read_AddressByName_WinsOverMasterReplyAddress()
    {
        // Mid-failover, the leader's SENTINEL MASTER still names the old primary; GET-MASTER-ADDR-BY-NAME the promoted one.
        SentinelView? view = SentinelReplies.Read(Master(), [], EndPointAllowList.AllowAll, "10.0.0.9:6379");

        Assert.Equal("10.0.0.9:6379", view!.PrimaryEndPoint);
    }

    [Fact]
    public void Read_MissingEpochAndIpv6_FormatsBracketsAndMinusOne()
    {
        SentinelView? view = SentinelReplies.Read(Fields("ip", "::1", "port", "6379"), [], EndPointAllowList.AllowAll);

        Assert.Equal("[::1]:6379", view!.PrimaryEndPoint);
        Assert.Equal(-1, view.ConfigEpoch);
    }

    [Theory]
    [InlineData("mymaster 127.0.0.1 6379 127.0.0.1 6380", true)]
    [InlineData("master mymaster 127.0.0.1 6379", true)]
    [InlineData("slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379", true)]
    [InlineData("sentinel 0123abcd 127.0.0.1 26380 @ mymaster 127.0.0.1 6379", true)]
    [InlineData("master other 127.0.0.1 6379", false)]
    [InlineData("slave 127.0.0.1:6380 127.0.0.1 6380 @ other 127.0.0.1 6379", false)]
    [InlineData("mymasterx 127.0.0.1 6379 127.0.0.1 6380", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void ConcernsService_EventMessages_MatchOnlyTheService(string? message, bool expected) =>
        Assert.Equal(expected, SentinelReplies.ConcernsService(message, "mymaster"));
}
