using System.Xml.Linq;
using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Reporting;
using static ServerlessRyw.Cli.Tests.Bench.Cells;

namespace ServerlessRyw.Cli.Tests.Reporting;

public class SvgChartUnitTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Render_TwoLagsTwoSessionCounts_IsWellFormedWithAPanelPairPerSessionCount()
    {
        List<CellResult> cells = [];
        foreach (var sessions in new[] { 1, 16 })
        {
            foreach (var lag in new[] { 0, 50 })
            {
                cells.Add(Cell(BenchMode.ReplicaUnsafe, lag, sessions, stale: lag > 0 ? 100 : 0));
                cells.Add(Cell(BenchMode.Token, lag, sessions, oracle: 75, readP99: lag + 0.3));
            }
        }

        var document = XDocument.Parse(SvgChart.Render(cells));

        var titles = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains(titles, t => t == "replica share, 16 session(s)");
        Assert.Contains(titles, t => t.StartsWith("p99 of all hops", StringComparison.Ordinal) && t.EndsWith("1 session(s)", StringComparison.Ordinal));

        // Per session count: 2 modes in the share panel + the oracle, 2 modes in the latency panel.
        Assert.Equal(2 * (2 + 1 + 2), document.Descendants(Svg + "polyline").Count());
        var tokenColour = SvgChart.Colour(BenchMode.Token);
        Assert.All(
            document.Descendants(Svg + "polyline").Where(p => (string?)p.Attribute("stroke") == tokenColour),
            p => Assert.Equal(2, ((string)p.Attribute("points")!).Split(' ').Length));
    }

    [Fact]
    public void Render_NoCells_StillAValidDocument()
    {
        var document = XDocument.Parse(SvgChart.Render([]));

        Assert.Equal(Svg + "svg", document.Root!.Name);
    }

    [Fact]
    public void Render_LatencyAxis_SpansWholePowersOfTenAroundTheData()
    {
        List<CellResult> cells = [Cell(BenchMode.Token, 0, readP99: 0.05), Cell(BenchMode.Token, 200, readP99: 150)];

        var labels = XDocument.Parse(SvgChart.Render(cells)).Descendants(Svg + "text").Select(t => t.Value).ToList();

        Assert.Contains("0.01", labels);
        Assert.Contains("1000", labels);
    }
}
