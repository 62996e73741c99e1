using System.Text;
using ServerlessRyw.Routing;

namespace ServerlessRyw.Cluster.Tests.Routing;

public sealed class ClusterSlotsUnitTests
{
    [Fact]
    public void Crc16_CheckValue_MatchesXmodem() =>
        Assert.Equal(0x31C3, ClusterSlots.Crc16(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("foo{bar}{zap}", 5061)]
    public void Of_Key_MatchesClusterKeyslot(string key, int slot) => Assert.Equal(slot, ClusterSlots.Of(key));

    [Fact]
    public void KeyFor_SingleSlot_FindsKeyInIt()
    {
        var key = ClusterSlots.KeyFor(static slot => slot == 16383);

        Assert.NotNull(key);
        Assert.Equal(16383, ClusterSlots.Of(key.Value));
    }
}

public sealed class ClusterProbeUnitTests
{
    [Theory]
    [InlineData("cluster_state:ok\r\ncluster_current_epoch:17\r\ncluster_my_epoch:3\r\n", 17)]
    [InlineData("cluster_current_epoch:0", 0)]
    [InlineData("cluster_state:ok\r\n", 0)]
    [InlineData(null, 0)]
    public void ParseEpoch_ClusterInfo_ReadsCurrentEpoch(string? info, long epoch) =>
        Assert.Equal(epoch, ServerlessRyw.Routing.ClusterProbe.ParseEpoch(info));
}
