using ServerlessRyw.Cli.Bench;

namespace ServerlessRyw.Cli.Tests.Bench;

public class ThroughputBenchUnitTests
{
    [Fact]
    public void MedianPairRatio_AbbaOrder_PairsEachRawRoundWithItsToolkitNeighbour()
    {
        // Rounds: raw, toolkit, toolkit, raw, raw, toolkit, toolkit, raw.
        double[] perRound = [100, 90, 45, 50, 100, 95, 80, 100];

        // Pairs: 90/100, 45/50, 95/100, 80/100 -> 0.9, 0.9, 0.95, 0.8: the median (nearest rank) is 0.9.
        Assert.Equal(0.9, ThroughputBench.MedianPairRatio(perRound), 6);
    }

    [Fact]
    public void MedianPairRatio_OneDisturbedPair_DoesNotMoveTheResult()
    {
        double[] calm = [100, 95, 95, 100, 100, 95, 95, 100];
        double[] disturbed = [100, 20, 95, 100, 100, 95, 95, 100];

        Assert.Equal(ThroughputBench.MedianPairRatio(calm), ThroughputBench.MedianPairRatio(disturbed), 6);
    }
}
