using ServerlessRyw.Cli.Demo;
using ServerlessRyw.Cli.Infrastructure;

namespace ServerlessRyw.Cli.Tests.Demo;

/// <summary><c>ryw demo</c> end to end on real local servers, Kestrel and the carriers, shortened.</summary>
public class DemoRunnerTests
{
    [Fact]
    public async Task RunAsync_LaggedReplica_StaleWithToolkitOffNoneWithToolkitOn()
    {
        var settings = new DemoSettings { Lag = TimeSpan.FromMilliseconds(100), Chains = 30, Concurrency = 4, WarmUpChains = 2 };

        var result = await new DemoRunner(settings, new Progress(TextWriter.Null, false)).RunAsync(CancellationToken.None);

        Assert.Equal(RywMode.ReplicaUnsafe, result.Off.Mode);
        Assert.Equal(90, result.Off.Reads);
        Assert.True(result.Off.StaleReads > 0, "with the toolkit off, half the reads go to a replica 100 ms behind");
        Assert.Equal(1.0, result.Off.ReplicaShare);

        Assert.Equal(RywMode.Token, result.On.Mode);
        Assert.Equal([30L, 30L, 30L], result.On.ReadsByHop);
        Assert.Equal(0, result.On.StaleReads);
        Assert.True(result.On.ReplicaShare > 0);
        Assert.Contains("| **stale reads** |", DemoReport.Render(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Sentinel_FailoverInTheTableStaleWithToolkitOffNoneWithToolkitOn()
    {
        var settings = new DemoSettings { Sentinel = true, Failover = true, Chains = 40, Concurrency = 4, WarmUpChains = 2 };

        var result = await new DemoRunner(settings, new Progress(TextWriter.Null, false)).RunAsync(CancellationToken.None);
        var text = DemoReport.Render(result);

        Assert.NotNull(result.Sentinel);
        foreach (var phase in new[] { result.Off, result.On })
        {
            Assert.NotNull(phase.PrimaryChange?.Failover);
            Assert.NotEqual(phase.PrimaryChange.Before, phase.PrimaryChange.After);
            Assert.Equal(20, phase.PrimaryChange.Failover.AfterChains);
            Assert.Contains($"{phase.PrimaryChange.Before} → {phase.PrimaryChange.After}", text, StringComparison.Ordinal);
        }

        Assert.Contains($"| primary before → after | {result.Off.PrimaryChange!.Before} → {result.Off.PrimaryChange.After} | {result.On.PrimaryChange!.Before} → {result.On.PrimaryChange.After} |", text, StringComparison.Ordinal);
        Assert.Contains("| failover | after chain 20,", text, StringComparison.Ordinal);
        Assert.Equal(RywMode.ReplicaUnsafe, result.Off.Mode);
        Assert.True(result.Off.StaleReads > 0, "with the toolkit off, reads on replicas whose replication is paused are stale");
        Assert.Equal(RywMode.Token, result.On.Mode);
        Assert.Equal(0, result.On.StaleReads);
        Assert.True(result.On.Reads > 0);
        Assert.Contains("| lost writes (acknowledged, not on the final primary) |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Conclusion_StaleWithToolkitOn_SaysBug()
    {
        var phase = new DemoPhaseResult("on", RywMode.Token, [10, 10, 10], [0, 1, 0], default, default, 1);
        var result = new DemoResult(new DemoTopology("7", "p", "r0", "r1", TimeSpan.FromMilliseconds(100)), phase with { StaleByHop = [5, 5, 5] }, phase);

        Assert.StartsWith("BUG: 1 stale reads with the toolkit on", DemoReport.Conclusion(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SideBySide_CountsPerHopAndTotals()
    {
        var off = new DemoPhaseResult("off", RywMode.ReplicaUnsafe, [10, 10, 10], [5, 4, 6], new(30, 0.2, 1.5, 2), new(10, 3, 9, 9), 1);
        var on = new DemoPhaseResult("on", RywMode.Token, [10, 10, 10], [0, 0, 0], new(30, 0.4, 40, 41), new(10, 4, 60, 60), 0.95);

        var text = DemoReport.Render(new DemoResult(new DemoTopology("7", "p", "r0", "r1", TimeSpan.FromMilliseconds(100)), off, on));

        Assert.Contains("| **stale reads** | **15 of 30 (50.0%)** | **0 of 30 (0.0%)** |", text, StringComparison.Ordinal);
        Assert.Contains("| &nbsp;&nbsp;after a queue hop | 4 of 10 (40.0%) | 0 of 10 (0.0%) |", text, StringComparison.Ordinal);
        Assert.Contains("| reads served by replicas | 100.0% | 95.0% |", text, StringComparison.Ordinal);
        Assert.Contains("Without the toolkit, 50.0% of reads right after a write missed it.", text, StringComparison.Ordinal);
    }
}
