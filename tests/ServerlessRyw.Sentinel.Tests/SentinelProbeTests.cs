using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Probe;
using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Sentinel.Tests;

/// <summary><c>ryw probe --sentinel</c>: what it discovers is what it probes, and the report says where it came from.</summary>
public sealed class SentinelProbeTests
{
    [Fact]
    public async Task DiscoverAsync_Sentinel_ProbesThePrimaryAndReplicasItReports()
    {
        await using var set = await LocalSentinelSet.StartAsync(replicas: 2);
        var settings = await SentinelProbe.DiscoverAsync(set.SentinelConfiguration, new ProbeSettings { Primary = string.Empty, Samples = 2 }, CancellationToken.None);

        Assert.Equal(set.Primary.EndPoint, settings.Primary);
        Assert.Equal(set.Replicas.Select(r => r.EndPoint).Order(), settings.Replicas.Order());

        var findings = await new ProbeRunner(settings, new Progress(TextWriter.Null, interactive: false)).RunAsync(CancellationToken.None);
        var report = ProbeReport.Render(findings, Recommendation.For(findings), settings);
        Assert.Contains($"Discovered from Sentinel", report, StringComparison.Ordinal);
        Assert.Contains($"primary {set.Primary.EndPoint}, 2 replica(s)", report, StringComparison.Ordinal);
    }
}
