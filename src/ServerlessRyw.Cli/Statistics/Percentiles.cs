namespace ServerlessRyw.Cli.Statistics;

/// <summary>Nearest-rank percentiles: every reported value is one that was really measured.</summary>
internal static class Percentiles
{
    /// <summary>The smallest sample such that at least <paramref name="percent"/> % of the samples are at or below it.</summary>
    /// <param name="sorted">Samples in ascending order.</param>
    /// <param name="percent">In (0, 100].</param>
    /// <returns>The percentile, or <see cref="double.NaN"/> when there are no samples.</returns>
    public static double NearestRank(ReadOnlySpan<double> sorted, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
