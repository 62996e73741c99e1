namespace ServerlessRyw.Tests.Tokens;

public sealed class ReplicationIdCacheUnitTests
{
    private const string Id = "8f2c1d9e0b7a4c3d2e1f0a9b8c7d6e5f4a3b2c1d";

    [Fact]
    public void Get_SameIdTwice_ReturnsTheSameString()
    {
        var first = ReplicationIdCache.Get(Id.AsSpan());
        var second = ReplicationIdCache.Get(Id.ToCharArray());

        Assert.Equal(Id, first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Get_ManyDifferentIds_EachGetsItsOwnValueAndTheTableDoesNotGrowWrong()
    {
        // More ids than the table has entries: collisions replace entries, never return another id's string.
        for (var i = 0; i < 1_000; i++)
        {
            var id = $"{i:x40}";
            Assert.Equal(id, ReplicationIdCache.Get(id.AsSpan()));
        }

        Assert.Equal(Id, ReplicationIdCache.Get(Id.AsSpan()));
    }

    [Fact]
    public void TryParse_TwoTokensOfOneHistory_ShareTheIdString()
    {
        Assert.True(RywToken.TryParse($"1.{Id}:10", out var first));
        Assert.True(RywToken.TryParse($"1.{Id}:20", out var second));

        Assert.Same(first.Positions[0].ReplicationId, second.Positions[0].ReplicationId);
        Assert.Equal(20, second.Positions[0].Offset);
    }
}
