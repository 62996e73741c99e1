using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.CommandLine;

namespace ServerlessRyw.Cli.Tests.CommandLine;

public class ListParsingUnitTests
{
    [Fact]
    public void TryParseIntegers_SpacesAndDuplicates_TrimmedAndDeduplicatedInOrder()
    {
        Assert.True(ListParsing.TryParseIntegers(" 50, 0 ,50,5", 0, 100, out var values, out var error));

        Assert.Equal([50, 0, 5], values);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,,2")]
    [InlineData("1.5")]
    [InlineData("101")]
    [InlineData("+3")]
    public void TryParseIntegers_Invalid_False(string text) =>
        Assert.False(ListParsing.TryParseIntegers(text, 0, 100, out _, out _));

    [Fact]
    public void TryParseModes_CaseInsensitive()
    {
        Assert.True(ListParsing.TryParseModes("TOKEN,Wait-After-Write", out var modes, out _));

        Assert.Equal([BenchMode.WaitAfterWrite, BenchMode.Token], modes);
    }

    [Fact]
    public void TryParseModes_Unknown_ListsValidNames()
    {
        Assert.False(ListParsing.TryParseModes("token,oracle", out _, out var error));

        Assert.Contains("'oracle' is not a mode; use replica-unsafe, primary-only, window, wait-after-write, token", error, StringComparison.Ordinal);
    }
}
