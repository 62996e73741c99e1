using ServerlessRyw.Cli.Statistics;

namespace ServerlessRyw.Cli.Bench;

/// <summary>A toolkit operation measured interleaved with its raw StackExchange.Redis counterpart.</summary>
/// <param name="Operation">What the toolkit did.</param>
/// <param name="Baseline">The raw operation it is compared with.</param>
/// <param name="Toolkit">The toolkit operation's latencies.</param>
/// <param name="Raw">The raw operation's latencies.</param>
/// <param name="ExpectedOutcome">The routing outcome every toolkit sample should have had.</param>
/// <param name="UnexpectedOutcomes">Toolkit samples that took another path (they are still in the numbers).</param>
/// <param name="FloorOperation">The order-proof design's floor sent raw (the commands it needs, nothing else), if any.</param>
/// <param name="Floor">The floor's latencies, interleaved with the other two.</param>
internal sealed record OverheadResult(
    string Operation,
    string Baseline,
    LatencySummary Toolkit,
    LatencySummary Raw,
    string ExpectedOutcome,
    long UnexpectedOutcomes,
    string? FloorOperation = null,
    LatencySummary? Floor = null)
{
    public double MedianRatio => Ratio.Of(Toolkit.P50, Raw.P50);

    /// <summary>What the design itself costs over the raw operation (p50): no client can be faster and keep its order.</summary>
    public double FloorRatio => Floor is { } floor ? Ratio.Of(floor.P50, Raw.P50) : double.NaN;

    /// <summary>What the toolkit adds on top of its floor (p50).</summary>
    public double OverFloorRatio => Floor is { } floor ? Ratio.Of(Toolkit.P50, floor.P50) : double.NaN;

    public double P99Ratio => Ratio.Of(Toolkit.P99, Raw.P99);
}

/// <summary>Reads per second with 64 sessions: raw replica GETs against the toolkit's fast path, in alternating rounds.</summary>
/// <param name="Sessions">Concurrent sessions.</param>
/// <param name="RawPerSecond">Raw reads per second over all raw rounds.</param>
/// <param name="ToolkitPerSecond">Toolkit reads per second over all toolkit rounds.</param>
/// <param name="UnexpectedOutcomes">Toolkit reads that did not take the fast path.</param>
/// <param name="Rounds">Rounds run (half raw, half toolkit).</param>
/// <param name="Ratio">Toolkit/raw: the median over adjacent raw/toolkit round pairs (robust to bursts of outside load).</param>
internal sealed record ThroughputResult(int Sessions, double RawPerSecond, double ToolkitPerSecond, long UnexpectedOutcomes, int Rounds, double Ratio);
