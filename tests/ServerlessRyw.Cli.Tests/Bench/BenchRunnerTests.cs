using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Reporting;

namespace ServerlessRyw.Cli.Tests.Bench;

/// <summary>A small bench on real local servers: the smoke test of the CI command, in-process.</summary>
public class BenchRunnerTests
{
    [Fact]
    public async Task RunAsync_SmallMatrix_TokenNeverStaleWhileToolkitOffIs()
    {
        var settings = BenchSettings.Quick with
        {
            LagsMs = [0, 50],
            Sessions = [4],
            CellDuration = TimeSpan.FromSeconds(0.25),
            OverheadSamples = 50,
            ThroughputSessions = 8,
            ThroughputRounds = 4,
            ThroughputRoundDuration = TimeSpan.FromSeconds(0.1),
        };
        var progress = new StringWriter();

        var report = await new BenchRunner(settings, new Progress(progress, interactive: false)).RunAsync(CancellationToken.None);

        Assert.Equal(2 * BenchModes.All.Count, report.Cells.Count);
        var lagged = report.Cells.Where(c => c.LagMs == 50).ToDictionary(c => c.Mode);
        Assert.True(lagged[BenchMode.ReplicaUnsafe].StaleReads > 0, "with the toolkit off, a 50 ms lag must produce stale reads");
        Assert.All(report.Cells.Where(c => c.Mode == BenchMode.Token), c =>
        {
            Assert.True(c.Reads > 0);
            Assert.Equal(0, c.StaleReads);
        });
        Assert.Equal(0, lagged[BenchMode.PrimaryOnly].StaleReads);
        Assert.Equal(0, lagged[BenchMode.PrimaryOnly].Outcomes.OnReplica);
        Assert.Equal(0, lagged[BenchMode.WaitAfterWrite].StaleReads);
        Assert.True(lagged[BenchMode.WaitAfterWrite].WriteLatency.P50 >= 45, "WAIT 1 must wait for the 50 ms lag");
        Assert.True(lagged[BenchMode.Token].ReplicaShare > 0);
        Assert.Equal(3, report.Overheads.Count);
        Assert.All(report.Overheads, o => Assert.Equal(0, o.UnexpectedOutcomes));
        Assert.NotNull(report.Throughput);
        Assert.True(report.Throughput.RawPerSecond > 0 && report.Throughput.ToolkitPerSecond > 0);
        Assert.DoesNotContain(report.Targets, t => t.IsCorrectness && t.Status != TargetStatus.Pass);
        Assert.Contains("[10/10] lag 50 ms, 4 session(s), token", progress.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_Report_WritesAllFiles()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ryw-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = Cells.Report(Cells.Healthy());

            var paths = BenchOutput.Write(report, MarkdownReport.Render(report), directory);

            Assert.Equal(["bench.md", "bench.csv", "bench-overhead.csv", "bench.svg"], paths.Select(Path.GetFileName));
            Assert.StartsWith("## ryw bench --quick", await File.ReadAllTextAsync(paths[0]), StringComparison.Ordinal);
            Assert.StartsWith(CsvReport.CellHeader, await File.ReadAllTextAsync(paths[1]), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
