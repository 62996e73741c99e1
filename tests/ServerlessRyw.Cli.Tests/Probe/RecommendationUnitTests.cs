using ServerlessRyw.Cli.Probe;

namespace ServerlessRyw.Cli.Tests.Probe;

public class RecommendationUnitTests
{
    private const string History = "8c3f0e2b9d4a41f7a3c5e6d7f8091a2b3c4d5e6f";

    [Fact]
    public void For_OffsetsReadableLowLag_TokenWithBudgetAboutTwiceTheWorstLag()
    {
        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [Readable("r")], lagsMs: [0.4, 3.2, 7.5]));

        Assert.Equal(RywMode.Token, recommendation.Mode);
        Assert.Equal("WaitBudget = 20 ms", recommendation.Setting);
    }

    [Fact]
    public void For_TinyLag_BudgetNeverBelowTenMs()
    {
        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [Readable("r")], lagsMs: [0.2]));

        Assert.Equal("WaitBudget = 10 ms", recommendation.Setting);
    }

    [Fact]
    public void For_LagAboveASecond_BudgetCappedAndWarned()
    {
        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [Readable("r")], lagsMs: [1500]));

        Assert.Equal("WaitBudget = 1000 ms", recommendation.Setting);
        Assert.Contains(recommendation.Reasons, r => r.Contains("lag more than 1 s", StringComparison.Ordinal));
    }

    [Fact]
    public void For_LagNotMeasured_DefaultBudget()
    {
        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [Readable("r")], lagsMs: null));

        Assert.Equal(RywMode.Token, recommendation.Mode);
        Assert.Equal("WaitBudget = 100 ms (the default)", recommendation.Setting);
    }

    [Fact]
    public void For_ScriptRefusedOnAReplica_WindowMode()
    {
        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [Readable("r1"), Refused("r2")], lagsMs: [3]));

        Assert.Equal(RywMode.Window, recommendation.Mode);
        Assert.Equal("Window = 2 s", recommendation.Setting);
        Assert.Contains(recommendation.Reasons, r => r.Contains("cannot be read on r2", StringComparison.Ordinal));
    }

    [Fact]
    public void For_PrimaryRefusesAndLagLong_WindowCoversFourTimesTheLag()
    {
        var recommendation = Recommendation.For(Findings(Refused("p", primary: true), [Refused("r")], lagsMs: [900]));

        Assert.Equal(RywMode.Window, recommendation.Mode);
        Assert.Equal("Window = 5 s", recommendation.Setting);
        Assert.Contains(recommendation.Reasons, r => r.Contains("p (primary)", StringComparison.Ordinal));
    }

    [Fact]
    public void For_ReplicaOfAnotherPrimary_WindowAndWarning()
    {
        var other = new ServerFindings("r", false, new ReplicationView(false, "1111111111111111111111111111111111111111", 5, null), null, Role());

        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [other], lagsMs: [1]));

        Assert.Equal(RywMode.Window, recommendation.Mode);
        Assert.Contains(recommendation.Reasons, r => r.Contains("another replication history", StringComparison.Ordinal));
    }

    [Fact]
    public void For_ReplicaContinuingPrimaryHistoryAfterFailover_Token()
    {
        var promoted = new ServerFindings("r", false, new ReplicationView(false, "2222222222222222222222222222222222222222", 5, History), null, Role());

        Assert.Equal(RywMode.Token, Recommendation.For(Findings(Readable("p", primary: true), [promoted], lagsMs: [1])).Mode);
    }

    [Fact]
    public void For_NoReplicas_NothingToRoute()
    {
        var recommendation = Recommendation.For(Findings(Readable("p", primary: true), [], lagsMs: null));

        Assert.Null(recommendation.Mode);
    }

    [Theory]
    [InlineData(0.5, 10)]
    [InlineData(10, 10)]
    [InlineData(11, 20)]
    [InlineData(21, 50)]
    [InlineData(51, 100)]
    [InlineData(140, 200)]
    [InlineData(4000, 1000)]
    public void NiceCeiling_RoundsUpTo125Series(double ms, double expected) =>
        Assert.Equal(
            expected,
            Recommendation.NiceCeiling(TimeSpan.FromMilliseconds(ms), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)).TotalMilliseconds);

    [Fact]
    public void Brief_ServerEchoesScript_KeepsOnlyTheError() =>
        Assert.Equal("ERR unknown command 'EVAL'", ProbeRunner.Brief("ERR unknown command 'EVAL', with args beginning with: 'local i = ...'"));

    private static RoleFindings Role() => new(true, "slave", 5, null);

    private static ServerFindings Readable(string name, bool primary = false) =>
        new(name, primary, new ReplicationView(primary, History, 100, null), null, Role());

    private static ServerFindings Refused(string name, bool primary = false) =>
        new(name, primary, null, "ERR unknown command 'EVAL'", new RoleFindings(false, null, null, "ERR unknown command 'ROLE'"));

    private static ProbeFindings Findings(ServerFindings primary, List<ServerFindings> replicas, double[]? lagsMs) =>
        new(
            primary,
            replicas,
            [.. replicas.Select(r => new ReplicaLag(r.EndPoint, [0], lagsMs ?? [], 0, 0.05))],
            MeasuredVisibility: lagsMs is not null);
}
