using System.Globalization;
using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Infrastructure;

namespace ServerlessRyw.Cli.Tests.Bench;

/// <summary><c>ryw bench --probe-cost</c> on real local servers, with few calls: every variant measured, the verdict computed.</summary>
public class ProbeCostBenchTests
{
    private static readonly string[] ExpectedVariants =
    [
        "GET (baseline)",
        "INFO replication",
        "EVAL probe (script form)",
        "EVALSHA probe",
        "EVAL_RO probe",
        "EVALSHA_RO probe",
        "EVAL parse in Lua",
        "ROLE",
        "unit: EVAL probe (script form)",
        "unit: EVALSHA_RO probe",
        "unit: INFO replication",
    ];

    [Fact]
    public async Task RunAsync_FewCalls_TableHasEveryVariantWithServerTimeAndAConclusion()
    {
        var settings = BenchSettings.Quick with { ProbeCost = true, ProbeCalls = 400 };
        var progress = new StringWriter();

        var report = await new ProbeCostBench(settings, new Progress(progress, interactive: false)).RunAsync(CancellationToken.None);
        var markdown = ProbeCostMarkdown.Render(report);

        Assert.Equal(ExpectedVariants, report.Costs.Select(c => c.Variant.Name));
        Assert.All(report.Costs, c =>
        {
            Assert.True(c.Replica.MicrosecondsPerCall > 0, c.Variant.Name + " on the replica");
            Assert.True(c.Primary.MicrosecondsPerCall > 0, c.Variant.Name + " on the primary");
            Assert.Equal(ProbeCostBench.Rounds, c.Replica.Rounds.Count);
        });
        var rows = markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList();
        Assert.Contains(ProbeCostMarkdown.TableHeader, markdown, StringComparison.Ordinal);
        Assert.Equal(ExpectedVariants.Length, rows.Count);
        foreach (var (row, name) in rows.Zip(ExpectedVariants))
        {
            var cells = row.Split(" | ");
            Assert.Equal("| " + name, cells[0]);
            Assert.True(ReplicaMicroseconds(cells[2]) > 0, row);
        }

        var conclusion = Assert.Single(markdown.Split('\n'), l => l.StartsWith(ProbeCostConclusion.Prefix, StringComparison.Ordinal));
        Assert.Contains("the cheapest probe that gives replid + offset", conclusion, StringComparison.Ordinal);
        Assert.Contains("for a GET alone", conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LiveChecks_MatchWhatTheServerAllows()
    {
        var settings = BenchSettings.Quick with { ProbeCost = true, ProbeCalls = 100 };

        var report = await new ProbeCostBench(settings, new Progress(TextWriter.Null, interactive: false)).RunAsync(CancellationToken.None);
        var checks = report.Costs.ToDictionary(c => c.Variant.Name, c => c.Check);

        Assert.True(checks["EVAL probe (script form)"].IsDropIn, checks["EVAL probe (script form)"].Verdict);
        Assert.True(checks["unit: EVAL probe (script form)"].IsDropIn);
        Assert.False(checks["ROLE"].GivesToken);
        Assert.False(checks["GET (baseline)"].GivesToken);
        Assert.True(checks["EVAL parse in Lua"].GivesToken);
        Assert.NotNull(checks["EVALSHA_RO probe"].FlushRefusal);
        Assert.Contains("NOSCRIPT", checks["EVALSHA_RO probe"].FlushRefusal, StringComparison.Ordinal);
        Assert.All(checks.Values, c => Assert.False(c.HeldByWritePause));
        Assert.StartsWith("refused: ", report.RoleFromLua, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAll_CommandStats_ReadsCallsAndMicroseconds()
    {
        var stats = CommandStat.ParseAll(
            "# Commandstats\r\ncmdstat_get:calls=3,usec=5,usec_per_call=1.67,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_config|resetstat:calls=1,usec=160,usec_per_call=160.00,rejected_calls=0,failed_calls=0\r\n");

        Assert.Equal(new CommandStat(3, 5), stats["get"]);
        Assert.Equal(new CommandStat(1, 160), stats["config|resetstat"]);
    }

    // "1.23 (1.01–1.50)": the figure before the bracketed round range.
    private static double ReplicaMicroseconds(string cell) =>
        double.Parse(cell.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
}
