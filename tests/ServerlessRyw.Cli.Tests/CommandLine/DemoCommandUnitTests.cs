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
    public void Root_ListsDemoFirst() =>
        Assert.Equal(["demo", "bench", "probe"], RywCommandLine.Create().Subcommands.Select(c => c.Name));
}
