using ServerlessRyw.Cli.Statistics;

namespace ServerlessRyw.Cli.Tests.Statistics;

public class PercentilesUnitTests
{
    [Fact]
    public void NearestRank_Median_ReturnsMeasuredMiddleValue()
    {
        double[] sorted = [1, 2, 3, 4, 5];

        Assert.Equal(3, Percentiles.NearestRank(sorted, 50));
    }

    [Fact]
    public void NearestRank_EvenCount_ReturnsLowerMiddleNotAnInterpolation()
    {
        double[] sorted = [10, 20, 30, 40];

        Assert.Equal(20, Percentiles.NearestRank(sorted, 50));
    }

    [Fact]
    public void NearestRank_P99Of100Samples_Returns99thSmallest()
    {
        var sorted = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        Assert.Equal(99, Percentiles.NearestRank(sorted, 99));
        Assert.Equal(100, Percentiles.NearestRank(sorted, 100));
    }

    [Fact]
    public void NearestRank_P99OfFewSamples_ReturnsMaximum()
    {
        double[] sorted = [1, 2, 3];

        Assert.Equal(3, Percentiles.NearestRank(sorted, 99));
    }

    [Fact]
    public void NearestRank_NoSamples_ReturnsNaN() =>
        Assert.True(double.IsNaN(Percentiles.NearestRank([], 50)));

    [Theory]
    [InlineData(0)]
    [InlineData(100.5)]
    public void NearestRank_PercentOutOfRange_Throws(double percent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1.0], percent));

    [Fact]
    public void LatencySummary_From_UnsortedSamples_SummarisesSorted()
    {
        var summary = LatencySummary.From([5, 1, 4, 2, 3]);

        Assert.Equal(new LatencySummary(5, 3, 5, 5), summary);
    }

    [Fact]
    public void LatencySummary_From_Empty_IsEmpty()
    {
        var summary = LatencySummary.From([]);

        Assert.Equal(0, summary.Count);
        Assert.True(double.IsNaN(summary.P50));
    }

    [Theory]
    [InlineData(1, 2, 0.5)]
    [InlineData(0, 0, 1)]
    [InlineData(0.3, 0, double.PositiveInfinity)]
    public void Ratio_Of_HandlesZeroDenominator(double numerator, double denominator, double expected) =>
        Assert.Equal(expected, Ratio.Of(numerator, denominator));

    [Fact]
    public void Ratio_Share_NothingCounted_IsZero() => Assert.Equal(0, Ratio.Share(0, 0));
}
