using System.Globalization;
using System.Security;
using System.Text;
using ServerlessRyw.Cli.Bench;

namespace ServerlessRyw.Cli.Reporting;

/// <summary>
/// bench.svg, written by hand (no charting package): per session count, replica share and read p99 for each mode
/// against the injected lag, with the oracle share as a dashed line. Lines with equal values are drawn a few
/// pixels apart so none hides another.
/// </summary>
internal static class SvgChart
{
    private const int Width = 980;
    private const int HeaderHeight = 70;
    private const int RowHeight = 250;
    private const int PanelWidth = Width / 2;
    private const int MarginLeft = 64;
    private const int MarginRight = 24;
    private const int MarginTop = 34;
    private const int MarginBottom = 40;
    private const string OracleColor = "#1f77b4";

    public static string Colour(BenchMode mode) => mode switch
    {
        BenchMode.ReplicaUnsafe => "#d62728",
        BenchMode.PrimaryOnly => "#7f7f7f",
        BenchMode.Window => "#ff7f0e",
        BenchMode.WaitAfterWrite => "#9467bd",
        BenchMode.Token => "#2ca02c",
        _ => "#000000",
    };

    public static string Render(IReadOnlyList<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var lags = cells.Select(c => c.LagMs).Distinct().Order().ToArray();
        var sessions = cells.Select(c => c.Sessions).Distinct().Order().ToArray();
        var modes = cells.Select(c => c.Mode).Distinct().Order().ToArray();
        var height = HeaderHeight + (Math.Max(1, sessions.Length) * RowHeight);
        var svg = new StringBuilder();
        svg.Append(I($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"))
            .Append(I($"<rect width=\"{Width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"))
            .Append("<text x=\"16\" y=\"24\" font-size=\"16\" font-weight=\"bold\">ryw bench: replica share and hop p99 per mode against replica lag</text>\n");
        AppendLegend(svg, modes);

        var (logMin, logMax) = LatencyRange(cells);
        for (var row = 0; row < sessions.Length; row++)
        {
            var top = HeaderHeight + (row * RowHeight);
            var rowCells = cells.Where(c => c.Sessions == sessions[row]).ToList();
            AppendSharePanel(svg, rowCells, lags, modes, 0, top, I($"replica share, {sessions[row]} session(s)"));
            AppendLatencyPanel(svg, rowCells, lags, modes, PanelWidth, top, I($"p99 of all hops, reads and writes (ms, log), {sessions[row]} session(s)"), logMin, logMax);
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static void AppendLegend(StringBuilder svg, BenchMode[] modes)
    {
        var x = 16;
        foreach (var mode in modes)
        {
            svg.Append(I($"<line x1=\"{x}\" y1=\"48\" x2=\"{x + 22}\" y2=\"48\" stroke=\"{Colour(mode)}\" stroke-width=\"3\"/>"))
                .Append(I($"<text x=\"{x + 28}\" y=\"52\">{Escape(mode.Name())}</text>\n"));
            x += 40 + (mode.Name().Length * 7);
        }

        svg.Append(I($"<line x1=\"{x}\" y1=\"48\" x2=\"{x + 22}\" y2=\"48\" stroke=\"{OracleColor}\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/>"))
            .Append(I($"<text x=\"{x + 28}\" y=\"52\">oracle share (token run)</text>\n"));
    }

    private static void AppendSharePanel(StringBuilder svg, List<CellResult> cells, int[] lags, BenchMode[] modes, int left, int top, string title)
    {
        var plot = new Plot(left, top);
        plot.Frame(svg, title, lags);
        for (var tick = 0; tick <= 4; tick++)
        {
            var share = tick / 4.0;
            var y = plot.Y(share);
            svg.Append(I($"<line x1=\"{plot.Left}\" y1=\"{y:0.#}\" x2=\"{plot.Right}\" y2=\"{y:0.#}\" stroke=\"#e5e5e5\"/>"))
                .Append(I($"<text x=\"{plot.Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{share * 100:0}%</text>\n"));
        }

        foreach (var mode in modes)
        {
            plot.Series(svg, lags, lag => cells.FirstOrDefault(c => c.Mode == mode && c.LagMs == lag)?.ReplicaShare, v => plot.Y(v) + Offset(mode, modes), Colour(mode), dashed: false);
        }

        plot.Series(svg, lags, lag => cells.FirstOrDefault(c => c.Mode == BenchMode.Token && c.LagMs == lag)?.OracleShare, v => plot.Y(v), OracleColor, dashed: true);
    }

    private static void AppendLatencyPanel(
        StringBuilder svg, List<CellResult> cells, int[] lags, BenchMode[] modes, int left, int top, string title, int logMin, int logMax)
    {
        var plot = new Plot(left, top);
        plot.Frame(svg, title, lags);
        double Scale(double ms) => plot.Y((Math.Log10(ms) - logMin) / (logMax - logMin));
        for (var power = logMin; power <= logMax; power++)
        {
            var y = Scale(Math.Pow(10, power));
            svg.Append(I($"<line x1=\"{plot.Left}\" y1=\"{y:0.#}\" x2=\"{plot.Right}\" y2=\"{y:0.#}\" stroke=\"#e5e5e5\"/>"))
                .Append(I($"<text x=\"{plot.Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Math.Pow(10, power):0.###}</text>\n"));
        }

        foreach (var mode in modes)
        {
            plot.Series(
                svg,
                lags,
                lag => cells.FirstOrDefault(c => c.Mode == mode && c.LagMs == lag)?.HopLatency.P99 is double p99 && p99 > 0 ? p99 : null,
                v => Scale(v) + Offset(mode, modes),
                Colour(mode),
                dashed: false);
        }
    }

    /// <summary>Whole powers of ten around every positive p99, so the log axis has round gridlines.</summary>
    private static (int Min, int Max) LatencyRange(IReadOnlyList<CellResult> cells)
    {
        var values = cells.Select(c => c.HopLatency.P99).Where(v => v > 0 && !double.IsNaN(v)).ToList();
        if (values.Count == 0)
        {
            return (-2, 3);
        }

        var min = (int)Math.Floor(Math.Log10(values.Min()));
        var max = (int)Math.Ceiling(Math.Log10(values.Max()));
        return (min, max == min ? min + 1 : max);
    }

    /// <summary>A few pixels apart per mode, so modes with equal values (0 % or 100 %) stay visible side by side.</summary>
    private static double Offset(BenchMode mode, BenchMode[] modes) => (Array.IndexOf(modes, mode) - ((modes.Length - 1) / 2.0)) * 2.5;

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One panel's plotting area; lags are categories spread evenly on the x axis.</summary>
    private readonly struct Plot(int left, int top)
    {
        public int Left => left + MarginLeft;

        public int Right => left + PanelWidth - MarginRight;

        public int Top => top + MarginTop;

        public int Bottom => top + RowHeight - MarginBottom;

        /// <summary>Maps 0..1 to the plot's height (0 at the bottom).</summary>
        public double Y(double fraction) => Bottom - (Math.Clamp(fraction, 0, 1) * (Bottom - Top));

        public double X(int index, int count) => count <= 1 ? (Left + Right) / 2.0 : Left + 20 + (index * (Right - Left - 40) / (double)(count - 1));

        public void Frame(StringBuilder svg, string title, int[] lags)
        {
            svg.Append(I($"<text x=\"{Left}\" y=\"{Top - 12}\" font-weight=\"bold\">{Escape(title)}</text>\n"))
                .Append(I($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Right - Left}\" height=\"{Bottom - Top}\" fill=\"none\" stroke=\"#999999\"/>\n"));
            for (var i = 0; i < lags.Length; i++)
            {
                svg.Append(I($"<text x=\"{X(i, lags.Length):0.#}\" y=\"{Bottom + 16}\" text-anchor=\"middle\">{lags[i]}</text>\n"));
            }

            svg.Append(I($"<text x=\"{(Left + Right) / 2}\" y=\"{Bottom + 32}\" text-anchor=\"middle\" fill=\"#555555\">replica lag (ms)</text>\n"));
        }

        public void Series(StringBuilder svg, int[] lags, Func<int, double?> value, Func<double, double> toY, string colour, bool dashed)
        {
            var points = new List<(double X, double Y)>();
            for (var i = 0; i < lags.Length; i++)
            {
                if (value(lags[i]) is double v && !double.IsNaN(v))
                {
                    points.Add((X(i, lags.Length), toY(v)));
                }
            }

            if (points.Count == 0)
            {
                return;
            }

            var dash = dashed ? " stroke-dasharray=\"5,3\"" : string.Empty;
            svg.Append(I($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\""))
                .AppendJoin(' ', points.Select(p => I($"{p.X:0.#},{p.Y:0.#}")))
                .Append("\"/>\n");
            foreach (var (x, y) in points)
            {
                svg.Append(I($"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"3\" fill=\"{colour}\"/>\n"));
            }
        }
    }
}
