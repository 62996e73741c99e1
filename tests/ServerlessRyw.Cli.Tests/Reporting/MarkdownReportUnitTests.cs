using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Reporting;
using static ServerlessRyw.Cli.Tests.Bench.Cells;

namespace ServerlessRyw.Cli.Tests.Reporting;

public class MarkdownReportUnitTests
{
    [Fact]
    public void Render_HealthyRun_HasTargetsOverheadsAndOneRowPerCell()
    {
        var markdown = MarkdownReport.Render(Report(Healthy()));

        Assert.Contains("### Targets", markdown, StringComparison.Ordinal);
        Assert.Contains("| token mode: 0 stale reads | 0 | 0 stale of 100 reads | pass |", markdown, StringComparison.Ordinal);
        Assert.Contains("### Toolkit against raw StackExchange.Redis", markdown, StringComparison.Ordinal);
        var matrixRows = markdown.Split('\n').Where(l => l.StartsWith("| 50 | 1 |", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, matrixRows.Count);
    }

    [Fact]
    public void Render_TokenRow_ShowsPassFailColumnsOthersLeaveThemEmpty()
    {
        var cells = Healthy();
        cells[3] = Cell(BenchMode.Token, lagMs: 50, stale: 2, onReplica: 100, oracle: 75);

        var lines = MarkdownReport.Render(Report(cells)).Split('\n');

        var token = lines.Single(l => l.StartsWith("| 50 | 1 | token |", StringComparison.Ordinal));
        Assert.EndsWith("| **FAIL** | pass | pass |", token, StringComparison.Ordinal);
        var unsafeRow = lines.Single(l => l.StartsWith("| 50 | 1 | replica-unsafe |", StringComparison.Ordinal));
        Assert.EndsWith("|  |  |  |", unsafeRow, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OverheadAboveLimit_MarkedFail()
    {
        var markdown = MarkdownReport.Render(Report(Healthy(), [Overhead(0.2, 0.1, "fast"), Overhead(0.1, 0.1, "probed"), Overhead(0.1, 0.1, "write")]));

        var fast = markdown.Split('\n').Single(l => l.StartsWith("| fast |", StringComparison.Ordinal));
        Assert.Contains("| 200.0 | 400.0 | 100.0 | 200.0 | 2.000× |", fast, StringComparison.Ordinal);
        Assert.EndsWith("| ≤ 1.05× | **FAIL** |", fast, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OverheadWithFloor_ShowsWhatTheDesignCostsAndTheToolkitsShare()
    {
        var write = Overhead(0.44, 0.22, "write") with { FloorOperation = "raw SET, then the probe", Floor = Overhead(0.40, 0.40).Toolkit };

        var markdown = MarkdownReport.Render(Report(Healthy(), [Overhead(0.05, 0.05, "fast"), Overhead(0.06, 0.05, "probed"), write]));

        Assert.Contains("#### The order-proof floor", markdown, StringComparison.Ordinal);
        var floor = markdown.Split('\n').Single(l => l.StartsWith("| write | raw SET, then the probe |", StringComparison.Ordinal));
        Assert.EndsWith("| 400.0 | 1.818× | 1.100× |", floor, StringComparison.Ordinal);
        Assert.DoesNotContain("| fast | ", markdown.Split("#### The order-proof floor")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DebugBuild_WarnsThatTimingsAreNotRepresentative()
    {
        var markdown = MarkdownReport.Render(Report(Healthy(), build: "Debug"));

        Assert.Contains("Not an optimized build", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ReleaseBuild_NoWarning() =>
        Assert.DoesNotContain("Not an optimized build", MarkdownReport.Render(Report(Healthy())), StringComparison.Ordinal);
}
