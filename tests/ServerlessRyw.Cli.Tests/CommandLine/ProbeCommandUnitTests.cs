using System.CommandLine;
using ServerlessRyw.Cli.CommandLine;

namespace ServerlessRyw.Cli.Tests.CommandLine;

public class ProbeCommandUnitTests
{
    private readonly ProbeCommand _probe = new();

    [Fact]
    public void Settings_RepeatedReplica_AllKept()
    {
        var result = new RootCommand { _probe.Command }.Parse("probe --primary p:6379,password=x --replica r1:6379 --replica r2:6379");

        Assert.Empty(result.Errors);
        var settings = _probe.Settings(result);
        Assert.Equal("p:6379,password=x", settings.Primary);
        Assert.Equal(["r1:6379", "r2:6379"], settings.Replicas);
        Assert.Equal(20, settings.Samples);
        Assert.True(settings.MeasureVisibility);
    }

    [Fact]
    public void Settings_NoWrite_SkipsVisibility()
    {
        var result = new RootCommand { _probe.Command }.Parse("probe --primary p:1 --no-write --samples 3");

        var settings = _probe.Settings(result);
        Assert.False(settings.MeasureVisibility);
        Assert.Equal(3, settings.Samples);
    }

    [Fact]
    public void Parse_NoPrimary_Error() =>
        Assert.NotEmpty(RywCommandLine.Create().Parse("probe --replica r:1").Errors);

    [Fact]
    public void Parse_ZeroSamples_Error() =>
        Assert.Contains(
            RywCommandLine.Create().Parse("probe --primary p:1 --samples 0").Errors,
            e => e.Message.Contains("--samples must be between", StringComparison.Ordinal));
}
