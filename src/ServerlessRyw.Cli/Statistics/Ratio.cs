namespace ServerlessRyw.Cli.Statistics;

/// <summary>Ratios that stay meaningful when the denominator is zero.</summary>
internal static class Ratio
{
    /// <summary><paramref name="numerator"/> / <paramref name="denominator"/>; +∞ for x/0 with x &gt; 0, and 1 for 0/0 (equal).</summary>
    public static double Of(double numerator, double denominator)
    {
        if (denominator == 0)
        {
            return numerator == 0 ? 1 : double.PositiveInfinity;
        }

        return numerator / denominator;
    }

    /// <summary>A share in [0, 1]; 0 when nothing was counted.</summary>
    public static double Share(long part, long whole) => whole <= 0 ? 0 : (double)part / whole;
}
