using ServerlessRyw.Routing;

namespace ServerlessRyw.Cluster.Tests.Routing;

public sealed class ClusterNodesParserUnitTests
{
    private const string Nodes = """
        07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,cache-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
        67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
        292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383 [10923->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
        6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005 slave,fail 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 disconnected
        824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@31006 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected
        e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 7000
        1111111111111111111111111111111111111111 :0@0 slave,noaddr 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 0 0 disconnected
        """;

    [Fact]
    public void Parse_RealReply_ReadsRolesAddressesAndSlots()
    {
        var nodes = ClusterNodesParser.Parse(Nodes);

        Assert.Equal(7, nodes.Count);
        var myself = Assert.Single(nodes, static n => n.IsMyself);
        Assert.True(myself.IsPrimary);
        Assert.Equal("127.0.0.1:30001", myself.EndPoint);
        Assert.Equal([(0, 5460), (7000, 7000)], myself.Slots);
        var replica = nodes[0];
        Assert.True(replica.IsReplica);
        Assert.Equal("127.0.0.1:30004", replica.EndPoint);
        Assert.Equal(myself.Id, replica.PrimaryId);
        Assert.False(replica.IsUnusable);
    }

    [Fact]
    public void Parse_MigratingMarker_KeepsListedOwner()
    {
        var migrating = ClusterNodesParser.Parse(Nodes).Single(static n => n.Id.StartsWith("292f", StringComparison.Ordinal));

        Assert.Equal([(10923, 16383)], migrating.Slots);
    }

    [Fact]
    public void Parse_FailedOrAddresslessNodes_AreUnusable()
    {
        var nodes = ClusterNodesParser.Parse(Nodes);

        Assert.True(nodes.Single(static n => n.Id.StartsWith("6ec2", StringComparison.Ordinal)).IsUnusable);
        var noAddress = nodes.Single(static n => n.Id.StartsWith("1111", StringComparison.Ordinal));
        Assert.True(noAddress.IsUnusable);
        Assert.Null(noAddress.EndPoint);
    }

    [Theory]
    [InlineData("10.0.0.1:6379@16379", "10.0.0.1:6379")]
    [InlineData("::1:6379@16379", "[::1]:6379")]
    [InlineData("10.0.0.1:6379@16379,redis-0.example", "10.0.0.1:6379")]
    [InlineData(":0@0", null)]
    [InlineData("garbage", null)]
    public void ToEndPoint_AddressForms_GivesHostPort(string address, string? expected) =>
        Assert.Equal(expected, ClusterNodesParser.ToEndPoint(address));

    [Fact]
    public void Build_TwoPrimariesClaimSlot_HigherConfigEpochWins()
    {
        var nodes = ClusterNodesParser.Parse("""
            aaaa 127.0.0.1:1@2 master - 0 0 5 connected 0-99
            bbbb 127.0.0.1:3@4 master - 0 0 9 connected 50
            """);

        var snapshot = ClusterSnapshot.Build(nodes, 9, static _ => throw new InvalidOperationException("no replicas"), null, 0);

        Assert.Equal("bbbb", snapshot.ForSlot(50)!.PrimaryId);
        Assert.Equal("aaaa", snapshot.ForSlot(49)!.PrimaryId);
        Assert.Null(snapshot.ForSlot(100));
    }
}
