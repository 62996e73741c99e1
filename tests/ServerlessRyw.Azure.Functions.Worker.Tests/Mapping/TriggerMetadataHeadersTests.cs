using System.Text.Json;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

public sealed class TriggerMetadataHeadersUnitTests
{
    private const string Token = "1.w1763780000000.8c3f0e2b9a7d4c1e6f5a3b2c1d0e9f8a7b6c5d4e:4242";

    [Fact]
    public void GetValues_HostJsonObject_FindsHeaderIgnoringCase()
    {
        // What the host sends for an HTTP trigger: a JSON object of header name to value (HTTP/2 lower-cases names).
        var json = $$"""{"Host":"localhost:7071","ryw-token":"{{Token}}","Accept":"*/*"}""";

        var values = TriggerMetadataHeaders.GetValues(json, "Ryw-Token");

        Assert.Equal([Token], values);
    }

    [Fact]
    public void GetValues_ArrayValue_ReturnsEveryString()
    {
        var json = """{"Ryw-Token":["1.w1","1.w2"]}""";

        Assert.Equal(["1.w1", "1.w2"], TriggerMetadataHeaders.GetValues(json, "Ryw-Token"));
    }

    [Fact]
    public void GetValues_JsonElement_Reads()
    {
        using var document = JsonDocument.Parse($$"""{"Ryw-Token":"{{Token}}"}""");

        Assert.Equal([Token], TriggerMetadataHeaders.GetValues(document.RootElement, "ryw-token"));
    }

    [Fact]
    public void GetValues_StringDictionary_Reads()
    {
        var headers = new Dictionary<string, string> { ["RYW-TOKEN"] = Token, ["Other"] = "x" };

        Assert.Equal([Token], TriggerMetadataHeaders.GetValues(headers, "Ryw-Token"));
    }

    [Fact]
    public void GetValues_ObjectDictionaryWithArray_Reads()
    {
        var headers = new Dictionary<string, object?> { ["Ryw-Token"] = new[] { "a", "b" } };

        Assert.Equal(["a", "b"], TriggerMetadataHeaders.GetValues(headers, "Ryw-Token"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[\"Ryw-Token\"]")]
    [InlineData("{\"Ryw-Token\":42}")]
    [InlineData("{\"Other\":\"1.w1\"}")]
    public void GetValues_NoUsableHeader_ReturnsEmpty(string? headers)
    {
        Assert.Empty(TriggerMetadataHeaders.GetValues(headers, "Ryw-Token"));
    }

    [Fact]
    public void GetValues_UnknownShape_ReturnsEmpty()
    {
        Assert.Empty(TriggerMetadataHeaders.GetValues(42, "Ryw-Token"));
    }
}
