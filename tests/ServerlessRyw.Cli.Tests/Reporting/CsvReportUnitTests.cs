using System.Globalization;
using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Reporting;
using static ServerlessRyw.Cli.Tests.Bench.Cells;

namespace ServerlessRyw.Cli.Tests.Reporting;

public class CsvReportUnitTests
{
    [Fact]
    public void RenderCells_OneLinePerCell_SameColumnCountAsHeader()
    {
        var lines = CsvReport.RenderCells(Healthy()).TrimEnd('\n').Split('\n');

        Assert.Equal(CsvReport.CellHeader, lines[0]);
        Assert.Equal(5, lines.Length);
        var columns = lines[0].Split(',').Length;
        Assert.All(lines, l => Assert.Equal(columns, l.Split(',').Length));
    }

    [Fact]
    public void RenderCells_CommaDecimalCulture_StillWritesDots()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var row = CsvReport.RenderCells([Cell(BenchMode.Token, lagMs: 5, onReplica: 50, oracle: 25)]).Split('\n')[1];

            Assert.StartsWith("5,1,token,1.000,25,100,0,0.5000,0.2500,", row, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void RenderOverheads_IncludesThroughputRow()
    {
        var lines = CsvReport.RenderOverheads([Overhead(0.05, 0.04, "fast, path")], new ThroughputResult(64, 1000, 900, 0, 4, 0.9)).TrimEnd('\n').Split('\n');

        Assert.Equal(3, lines.Length);
        Assert.StartsWith("\"fast, path\",raw,ReplicaHit,100,us,50.00,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("\"fast-path reads, 64 sessions\",raw replica GET,ReplicaHit,4,reads/s,900.0,,1000.0,,0.9000,,0", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void Escape_QuotesOnlyWhenNeeded(string field, string expected) => Assert.Equal(expected, CsvReport.Escape(field));
}
