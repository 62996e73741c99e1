using ServerlessRyw.Routing;

namespace ServerlessRyw.Tests.Routing;

public sealed class ReplicationStateUnitTests
{
    private const string Old = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string New = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Theory]
    [InlineData(Old, 100, true)]
    [InlineData(Old, 101, false)]
    [InlineData(New, 5, false)]
    public void Covers_SameHistory_ComparesOffsets(string id, long offset, bool expected)
    {
        var state = new ReplicationState(Old, 100, null, 0, IsPrimary: false);

        Assert.Equal(expected, state.Covers(new ReplicationPosition(id, offset)));
    }

    [Theory]
    [InlineData(50, true)]
    [InlineData(80, true)]
    [InlineData(81, false)]
    public void Covers_PreviousHistoryAfterFailover_OnlyUpToWhereItEnded(long offset, bool expected)
    {
        var state = new ReplicationState(New, 500, Old, 80, IsPrimary: true);

        Assert.Equal(expected, state.Covers(new ReplicationPosition(Old, offset)));
    }

    [Fact]
    public void Covers_TokenWithSeveralPositions_NeedsAll()
    {
        var state = new ReplicationState(New, 500, Old, 80, IsPrimary: false);
        var token = RywToken.FromPosition(new ReplicationPosition(Old, 70)).Merge(RywToken.FromPosition(new ReplicationPosition(New, 400)));

        Assert.True(state.Covers(token));
        Assert.False(state.Covers(token.Merge(RywToken.FromPosition(new ReplicationPosition(New, 501)))));
    }

    [Fact]
    public void IsOlderThanOrSame_StateFromTheHistoryWeContinuedFrom_IsOlder()
    {
        var before = new ReplicationState(Old, 900, null, 0, false);
        var after = new ReplicationState(New, 100, Old, 90, false);

        Assert.True(before.IsOlderThanOrSame(after));
        Assert.False(after.IsOlderThanOrSame(before));
    }
}
