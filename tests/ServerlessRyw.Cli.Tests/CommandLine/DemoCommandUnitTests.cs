using System.CommandLine;
using ServerlessRyw.Cli.CommandLine;

namespace ServerlessRyw.Cli.Tests.CommandLine;

public class DemoCommandUnitTests
{
    private readonly DemoCommand _demo = new();

    [Fact]
    public void Settings_NoOptions_HundredMillisecondLag()
    {
        var settings = _demo.Settings(new RootCommand { _demo.Command }.Parse("demo"));

        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.Lag);
        Assert.Equal(200, settings.Chains);
        Assert.Equal(8, settings.Concurrency);
    }

    [Fact]
    public void Settings_LagFlag_Changes()
    {
        var result = new RootCommand { _demo.Command }.Parse("demo --lag 250 --chains 50 --concurrency 2");

        Assert.Empty(result.Errors);
        var settings = _demo.Settings(result);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Lag);
        Assert.Equal(50, settings.Chains);
        Assert.Equal(2, settings.Concurrency);
    }

    [Theory]
    [InlineData("demo --lag -1", "--lag must be between")]
    [InlineData("demo --chains 0", "--chains must be between")]
    [InlineData("demo --concurrency 1000", "--concurrency must be between")]
    public void Parse_OutOfRange_Error(string commandLine, string expected) =>
        Assert.Contains(RywCommandLine.Create().Parse(commandLine).Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Settings_NoSentinel_ClassicDemo()
    {
        var settings = _demo.Settings(new RootCommand { _demo.Command }.Parse("demo"));

        Assert.False(settings.Sentinel);
        Assert.Null(settings.SentinelConfiguration);
        Assert.False(settings.Failover);
    }

    [Fact]
    public void Settings_SentinelAlone_LocalServersWithAFailover()
    {
        var result = new RootCommand { _demo.Command }.Parse("demo --sentinel --chains 40 --lag 80");

        Assert.Empty(result.Errors);
        var settings = _demo.Settings(result);
        Assert.True(settings.Sentinel);
        Assert.Null(settings.SentinelConfiguration);
        Assert.True(settings.Failover);
        Assert.Equal(40, settings.Chains);
        Assert.Equal(TimeSpan.FromMilliseconds(80), settings.Lag);
    }

    [Theory]
    [InlineData("demo --sentinel 10.0.0.1:26379,10.0.0.2:26379,serviceName=mymaster", false)]
    [InlineData("demo --sentinel 10.0.0.1:26379,serviceName=mymaster --failover", true)]
    [InlineData("demo --failover --sentinel sentinel-0,serviceName=orders", true)]
    public void Settings_SentinelConfiguration_ExistingSentinelsFailoverOnlyWhenAsked(string commandLine, bool failover)
    {
        var result = new RootCommand { _demo.Command }.Parse(commandLine);

        Assert.Empty(result.Errors);
        var settings = _demo.Settings(result);
        Assert.True(settings.Sentinel);
        Assert.Contains("serviceName=", settings.SentinelConfiguration, StringComparison.Ordinal);
        Assert.Equal(failover, settings.Failover);
    }

    [Theory]
    [InlineData("demo --failover", "--failover needs --sentinel <configuration>")]
    [InlineData("demo --sentinel 10.0.0.1:26379", "names no service: add serviceName=<master name>")]
    [InlineData("demo --sentinel serviceName=mymaster", "names no sentinel endpoint")]
    [InlineData("demo --sentinel 10.0.0.1:26379,serviceName=m --lag 50", "--lag applies only to local servers")]
    [InlineData("demo --sentinel 10.0.0.1:26379,serviceName=m --redis-server /usr/bin/redis-server", "--redis-server applies only to local servers")]
    public void Parse_BadSentinelOptions_ClearError(string commandLine, string expected) =>
        Assert.Contains(RywCommandLine.Create().Parse(commandLine).Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Root_ListsDemoFirst() =>
        Assert.Equal(["demo", "bench", "probe"], RywCommandLine.Create().Subcommands.Select(c => c.Name));
}
