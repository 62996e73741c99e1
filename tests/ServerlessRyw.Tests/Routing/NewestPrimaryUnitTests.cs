using ServerlessRyw.Routing;

namespace ServerlessRyw.Tests.Routing;

public sealed class NewestPrimaryUnitTests
{
    private static readonly string Old = new('a', 40);
    private static readonly string Promoted = new('b', 40);
    private static readonly string Unrelated = new('c', 40);

    [Fact]
    public void Pick_OldAndPromotedPrimary_ThePromotedOne()
    {
        ReplicationState?[] states = [new(Old, 900, null, 0, IsPrimary: true), new(Promoted, 700, Old, 651, IsPrimary: true)];
        Assert.Equal(1, NewestPrimary.Pick(states));
    }

    [Fact]
    public void Pick_UnrelatedPrimaries_None()
    {
        ReplicationState?[] states = [new(Old, 900, null, 0, IsPrimary: true), new(Unrelated, 700, null, 0, IsPrimary: true)];
        Assert.Null(NewestPrimary.Pick(states));
    }

    [Fact]
    public void Pick_OneAnswerMissingOrAReplica_TheRemainingPrimary()
    {
        ReplicationState?[] states = [null, new(Promoted, 700, Old, 651, IsPrimary: false), new(Old, 900, null, 0, IsPrimary: true)];
        Assert.Equal(2, NewestPrimary.Pick(states));
    }

    [Fact]
    public void Pick_NoPrimaryAnswered_None() =>
        Assert.Null(NewestPrimary.Pick([null, new ReplicationState(Old, 1, null, 0, IsPrimary: false)]));
}
