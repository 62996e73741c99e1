using ServerlessRyw.Cli.Bench;
using static ServerlessRyw.Cli.Tests.Bench.Cells;

namespace ServerlessRyw.Cli.Tests.Bench;

public class TargetEvaluatorUnitTests
{
    [Fact]
    public void Evaluate_HealthyRun_PassesEveryTarget()
    {
        var targets = Report(Healthy()).Targets;

        Assert.All(targets, t => Assert.Equal(TargetStatus.Pass, t.Status));
    }

    [Fact]
    public void Evaluate_StaleReadInTokenMode_FailsCorrectnessTarget()
    {
        var cells = Healthy();
        cells[3] = Cell(BenchMode.Token, lagMs: 50, stale: 1);

        var target = Report(cells).Targets.Single(t => t.Name.StartsWith("token mode: 0 stale", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.Fail, target.Status);
        Assert.True(target.IsCorrectness);
        Assert.Contains("1 stale of 100", target.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ToolkitOffNeverStaleUnderLag_FailsTheProblemCheck()
    {
        var cells = Healthy();
        cells[0] = Cell(BenchMode.ReplicaUnsafe, lagMs: 50, stale: 0);

        var check = Report(cells).Targets.Single(t => t.Name.StartsWith("check:", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.Fail, check.Status);
        Assert.True(check.IsCorrectness);
    }

    [Fact]
    public void Evaluate_ToolkitOffOnlyRunAtLagZero_ProblemCheckNotMeasured()
    {
        List<CellResult> cells = [Cell(BenchMode.ReplicaUnsafe, lagMs: 0), Cell(BenchMode.Token, lagMs: 0)];

        var check = Report(cells).Targets.Single(t => t.Name.StartsWith("check:", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.NotMeasured, check.Status);
    }

    [Theory]
    [InlineData(0.0525, true)]
    [InlineData(0.0526, false)]
    public void Evaluate_FastPathRatio_ComparesMediansWithLimit(double toolkitMs, bool passes)
    {
        var expected = passes ? TargetStatus.Pass : TargetStatus.Fail;
        var report = Report(Healthy(), [Overhead(toolkitMs, 0.050), Overhead(0.06, 0.05), Overhead(0.05, 0.05)]);

        Assert.Equal(expected, report.Targets.Single(t => t.Name.StartsWith("fast-path", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public void Evaluate_WriteRatioAbove115_Fails()
    {
        var report = Report(Healthy(), [Overhead(0.05, 0.05), Overhead(0.06, 0.05), Overhead(0.07, 0.05)]);

        Assert.Equal(TargetStatus.Fail, report.Targets.Single(t => t.Name.StartsWith("write", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public void Evaluate_TokenShareBelow95PercentOfOracle_Fails()
    {
        var cells = Healthy();
        cells[3] = Cell(BenchMode.Token, lagMs: 50, onReplica: 70, oracle: 80);

        var target = Report(cells).Targets.Single(t => t.Name.Contains("oracle", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.Fail, target.Status);
        Assert.Contains("1 of 1 cells below", target.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_WindowOffloadsNothingAndTokenSome_PassesAsInfinite()
    {
        var target = Report(Healthy()).Targets.Single(t => t.Name.Contains("window", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.Pass, target.Status);
        Assert.Contains("∞", target.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NeitherTokenNorWindowOffloads_Fails()
    {
        var cells = Healthy();
        cells[3] = Cell(BenchMode.Token, lagMs: 50, onReplica: 0, oracle: 0);

        var target = Report(cells).Targets.Single(t => t.Name.Contains("window", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.Fail, target.Status);
    }

    [Fact]
    public void Evaluate_TokenTwiceWindow_FailsThreeTimesTarget()
    {
        var cells = Healthy();
        cells[2] = Cell(BenchMode.Window, lagMs: 50, onReplica: 40);
        cells[3] = Cell(BenchMode.Token, lagMs: 50, onReplica: 80, oracle: 80);

        var target = Report(cells).Targets.Single(t => t.Name.Contains("window", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.Fail, target.Status);
    }

    [Fact]
    public void Evaluate_WindowComparisonAbove50Ms_IsNotJudged()
    {
        List<CellResult> cells =
        [
            Cell(BenchMode.ReplicaUnsafe, lagMs: 200, stale: 10),
            Cell(BenchMode.Window, lagMs: 200, onReplica: 90),
            Cell(BenchMode.Token, lagMs: 200, onReplica: 90, oracle: 90),
        ];

        var target = Report(cells).Targets.Single(t => t.Name.Contains("window", StringComparison.Ordinal));

        Assert.Equal(TargetStatus.NotMeasured, target.Status);
    }

    [Theory]
    [InlineData(900, true)]
    [InlineData(899, false)]
    public void Evaluate_Throughput_ComparesWithNinetyPercentOfRaw(double toolkitPerSecond, bool passes)
    {
        var expected = passes ? TargetStatus.Pass : TargetStatus.Fail;
        var report = Report(Healthy(), throughput: new ThroughputResult(64, 1000, toolkitPerSecond, 0, 4, toolkitPerSecond / 1000));

        Assert.Equal(expected, report.Targets.Single(t => t.Name.StartsWith("throughput", StringComparison.Ordinal)).Status);
    }
}
