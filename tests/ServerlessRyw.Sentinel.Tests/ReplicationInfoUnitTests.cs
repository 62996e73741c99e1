using ServerlessRyw.Topology;

namespace ServerlessRyw.Sentinel.Tests;

public sealed class ReplicationInfoUnitTests
{
    private const string PrimaryInfo =
        "# Replication\r\nrole:master\r\nconnected_slaves:3\r\n"
        + "slave0:ip=10.0.0.2,port=6379,state=online,offset=1200,lag=0\r\n"
        + "slave1:ip=10.0.0.3,port=6380,state=wait_bgsave,offset=0,lag=0\r\n"
        + "slave2:ip=10.0.0.4,port=6381,state=online,offset=1100,lag=1\r\n"
        + "master_failover_state:no-failover\r\nmaster_replid:abc\r\nmaster_repl_offset:1200\r\n";

    [Fact]
    public void Parse_PrimaryInfo_ReturnsOnlineReplicasWithOffsets()
    {
        ReplicationInfo info = ReplicationInfo.Parse(PrimaryInfo, EndPointAllowList.AllowAll);

        Assert.Equal("master", info.Role);
        Assert.Equal(["10.0.0.2:6379", "10.0.0.4:6381"], info.Replicas.Select(r => r.EndPoint));
        Assert.Equal(1100, info.Replicas[1].ReplicationOffset);
        Assert.Equal(1, info.Rejected);
    }

    [Fact]
    public void Parse_ReplicaInfo_ReportsRoleAndIgnoresOwnSlaveFields()
    {
        const string replicaInfo = "role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\nslave_repl_offset:99\nslave_read_only:1\nslave_priority:100\nconnected_slaves:0\n";

        ReplicationInfo info = ReplicationInfo.Parse(replicaInfo, EndPointAllowList.AllowAll);

        Assert.Equal("slave", info.Role);
        Assert.Empty(info.Replicas);
        Assert.Equal(0, info.Rejected);
    }

    [Fact]
    public void Parse_AllowList_KeepsOnlyListedEndPoints()
    {
        ReplicationInfo info = ReplicationInfo.Parse(PrimaryInfo, new EndPointAllowList(["10.0.0.4:6381"]));

        Assert.Equal("10.0.0.4:6381", Assert.Single(info.Replicas).EndPoint);
        Assert.Equal(2, info.Rejected);
    }

    [Theory]
    [InlineData("slave0:ip=,port=6379,state=online")]
    [InlineData("slave0:ip=10.0.0.2,port=x,state=online")]
    [InlineData("slave0:port=6379,state=online")]
    [InlineData("slave0:garbage")]
    public void Parse_MalformedReplicaLine_IsRejectedNotThrown(string line)
    {
        ReplicationInfo info = ReplicationInfo.Parse("role:master\n" + line, EndPointAllowList.AllowAll);

        Assert.Empty(info.Replicas);
        Assert.Equal(1, info.Rejected);
    }

    [Fact]
    public void Parse_Null_ReturnsEmpty() => Assert.Equal(string.Empty, ReplicationInfo.Parse(null, EndPointAllowList.AllowAll).Role);
}
