using System.Text;
using ServerlessRyw.Cli.Reporting;

namespace ServerlessRyw.Cli.Bench;

/// <summary>Writes a bench report's files.</summary>
internal static class BenchOutput
{
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(BenchReport report, string markdown, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        (string Name, string Content)[] files =
        [
            ("bench.md", markdown),
            ("bench.csv", CsvReport.RenderCells(report.Cells)),
            ("bench-overhead.csv", CsvReport.RenderOverheads(report.Overheads, report.Throughput)),
            ("bench.svg", SvgChart.Render(report.Cells)),
        ];
        var paths = new List<string>();
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content, encoding);
            paths.Add(path);
        }

        return paths;
    }
}
