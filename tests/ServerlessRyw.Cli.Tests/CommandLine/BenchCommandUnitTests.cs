using System.CommandLine;
using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.CommandLine;

namespace ServerlessRyw.Cli.Tests.CommandLine;

public class BenchCommandUnitTests
{
    private readonly BenchCommand _bench = new();

    [Fact]
    public void Settings_NoOptions_DefaultMatrix()
    {
        var settings = Parse("bench");

        Assert.Equal([0, 5, 50, 200], settings.LagsMs);
        Assert.Equal([1, 16, 64], settings.Sessions);
        Assert.Equal(BenchModes.All, settings.Modes);
        Assert.False(settings.IsQuick);
        Assert.Equal(Path.Combine("artifacts", "bench"), settings.OutputDirectory);
    }

    [Fact]
    public void Settings_Quick_SmokePreset()
    {
        var settings = Parse("bench --quick");

        Assert.True(settings.IsQuick);
        Assert.Equal([0, 50], settings.LagsMs);
        Assert.Equal([1, 16], settings.Sessions);
        Assert.Equal(TimeSpan.FromSeconds(0.3), settings.CellDuration);
    }

    [Fact]
    public void Settings_QuickWithExplicitLags_ExplicitWins()
    {
        var settings = Parse("bench --quick --lags 5,200 --cell-seconds 0.5 --out /tmp/x");

        Assert.True(settings.IsQuick);
        Assert.Equal([5, 200], settings.LagsMs);
        Assert.Equal([1, 16], settings.Sessions);
        Assert.Equal(TimeSpan.FromSeconds(0.5), settings.CellDuration);
        Assert.Equal("/tmp/x", settings.OutputDirectory);
    }

    [Fact]
    public void Settings_ModesInAnyOrder_CanonicalOrder()
    {
        var settings = Parse("bench --modes token,window,replica-unsafe");

        Assert.Equal([BenchMode.ReplicaUnsafe, BenchMode.Window, BenchMode.Token], settings.Modes);
    }

    [Fact]
    public void Settings_TimingOptions_Converted()
    {
        var settings = Parse("bench --wait-budget-ms 250 --wait-timeout-ms 500 --samples 42 --reads-per-write 2");

        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.WaitBudget);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.WaitCommandTimeout);
        Assert.Equal(42, settings.OverheadSamples);
        Assert.Equal(2, settings.ReadsPerWrite);
    }

    [Fact]
    public void Settings_ProbeCost_OffByDefaultAndCallsOverridable()
    {
        Assert.False(Parse("bench").ProbeCost);
        Assert.Equal(20_000, Parse("bench").ProbeCalls);
        Assert.Equal(2_000, Parse("bench --quick").ProbeCalls);

        var settings = Parse("bench --probe-cost --probe-calls 500");

        Assert.True(settings.ProbeCost);
        Assert.Equal(500, settings.ProbeCalls);
    }

    [Theory]
    [InlineData("bench --probe-cost --probe-calls 5", "--probe-calls must be between")]
    [InlineData("bench --lags 0,x", "--lags: 'x' is not a whole number")]
    [InlineData("bench --lags -5", "--lags")]
    [InlineData("bench --sessions 0", "--sessions: '0' is not a whole number between 1 and 1024")]
    [InlineData("bench --modes fast", "--modes: 'fast' is not a mode")]
    [InlineData("bench --cell-seconds 0", "--cell-seconds must be above 0")]
    [InlineData("bench --samples 1", "--samples must be between")]
    [InlineData("bench --wait-budget-ms 40000", "--wait-budget-ms must be between")]
    public void Parse_BadValue_ReportsError(string commandLine, string expected)
    {
        var result = RywCommandLineParse(commandLine);

        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_GoodValues_NoErrors() =>
        Assert.Empty(RywCommandLineParse("bench --quick --lags 0,50 --sessions 1,4 --modes token").Errors);

    private static ParseResult RywCommandLineParse(string commandLine) => RywCommandLine.Create().Parse(commandLine);

    private BenchSettings Parse(string commandLine)
    {
        var root = new RootCommand { _bench.Command };
        var result = root.Parse(commandLine);
        Assert.Empty(result.Errors);
        return _bench.Settings(result);
    }
}
