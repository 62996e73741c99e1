using System.Globalization;

namespace ServerlessRyw.Cli.Reporting;

/// <summary>Culture-independent number formatting shared by every report, so files read the same everywhere.</summary>
internal static class Format
{
    public static string Ms(double milliseconds) => double.IsNaN(milliseconds)
        ? "–"
        : milliseconds.ToString(milliseconds < 10 ? "0.000" : milliseconds < 100 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static string Us(double milliseconds) => double.IsNaN(milliseconds)
        ? "–"
        : (milliseconds * 1000).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Times(double ratio) => double.IsPositiveInfinity(ratio)
        ? "∞"
        : double.IsNaN(ratio) ? "–" : ratio.ToString("0.000", CultureInfo.InvariantCulture) + "×";

    public static string Number(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Invariant(FormattableString text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToString(CultureInfo.InvariantCulture);
    }
}
