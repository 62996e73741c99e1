namespace ServerlessRyw.Cli.Statistics;

/// <summary>The median and tail of a set of latencies, in milliseconds.</summary>
/// <param name="Count">How many samples.</param>
/// <param name="P50">The median (nearest rank).</param>
/// <param name="P99">The 99th percentile (nearest rank).</param>
/// <param name="Max">The largest sample.</param>
internal readonly record struct LatencySummary(int Count, double P50, double P99, double Max)
{
    public static LatencySummary Empty { get; } = new(0, double.NaN, double.NaN, double.NaN);

    /// <summary>Summarises <paramref name="samples"/> (sorted in place).</summary>
    public static LatencySummary From(List<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return Empty;
        }

        samples.Sort();
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples);
        return new LatencySummary(samples.Count, Percentiles.NearestRank(span, 50), Percentiles.NearestRank(span, 99), span[^1]);
    }
}
