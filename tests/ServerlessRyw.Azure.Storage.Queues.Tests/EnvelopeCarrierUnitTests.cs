using ServerlessRyw.Propagation;
using ServerlessRyw.TestSupport;

namespace ServerlessRyw.Azure.Storage.Queues.Tests;

/// <summary>
/// Envelopes written by producers other than this library (other SDKs, hand-written JSON): recognised in any valid JSON
/// layout, and never silently ignored when they look like an envelope but cannot be used.
/// </summary>
public sealed class EnvelopeCarrierUnitTests
{
    private const string Id = "8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e";
    private static readonly RywToken Token = RywToken.FromPosition(new ReplicationPosition(Id, 4242));

    private static long Rejections(RywClient client)
    {
        var statistics = client.Statistics;
        return Enum.GetValues<RywTokenRejection>().Sum(reason => statistics[reason]);
    }

    public static TheoryData<string, string> WhitespaceEnvelopes => new()
    {
        { $$"""{"a":1, "ryw/1":"{{Token}}"}""", """{"a":1}""" },
        { $$"""{"a":1 , "ryw/1" : "{{Token}}" }""", """{"a":1  }""" },
        { $"{{\n  \"a\": 1,\n  \"ryw/1\": \"{Token}\"\n}}", "{\n  \"a\": 1\n}" },
        { $"{{\r\n\t\"ryw/1\":\t\"{Token}\"\r\n}}", "{\r\n\t\r\n}" },
        { $$"""{"nested":{"x":[1,2]},"ryw/1":"{{Token}}"}""", """{"nested":{"x":[1,2]}}""" },
    };

    [Theory]
    [MemberData(nameof(WhitespaceEnvelopes))]
    public void Unwrap_JsonEnvelopeWithWhitespace_RecognisedAndBodyRecovered(string body, string expected)
    {
        var result = RywQueueEnvelope.Unwrap(body);

        Assert.Equal(RywEnvelopeStatus.Unwrapped, result.Status);
        Assert.Equal(Token, result.Token);
        Assert.Equal(expected, result.Body);
        using var _ = System.Text.Json.JsonDocument.Parse(result.Body);
    }

    [Fact]
    public void Unwrap_JsonEnvelopeMemberNotLast_CountedAndSessionReadsCarefully()
    {
        var body = $$"""{"ryw/1":"{{Token}}","a":1}""";
        using var counter = new EnvelopeCounter();
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();

        var result = RywQueueEnvelope.UnwrapInto(session, body);

        Assert.Equal(RywEnvelopeStatus.Malformed, result.Status);
        Assert.Same(body, result.Body);
        Assert.True(counter["malformed"] >= 1);
        Assert.Equal(1, offline.Client.Statistics[RywTokenRejection.Malformed]);
    }

    [Fact]
    public void Unwrap_JsonEnvelopeRepeatedMember_Counted()
    {
        var body = $$"""{"a":1,"ryw/1":"{{Token}}","ryw/1":"{{Token}}"}""";

        Assert.Equal(RywEnvelopeStatus.Malformed, RywQueueEnvelope.Unwrap(body).Status);
    }

    [Fact]
    public void Unwrap_JsonEnvelopeHugeToken_CountedAsInvalidLikeTheTextForm()
    {
        var huge = "1." + new string('w', 5000);
        var json = $$"""{"a":1,"ryw/1":"{{huge}}"}""";
        var text = $"ryw/1 {huge}\nbody";
        using var offline = new OfflineClient();

        var jsonResult = RywQueueEnvelope.UnwrapInto(offline.Client.CreateSession(), json);
        var textResult = RywQueueEnvelope.UnwrapInto(offline.Client.CreateSession(), text);

        Assert.Equal(RywEnvelopeStatus.InvalidToken, jsonResult.Status);
        Assert.Equal("""{"a":1}""", jsonResult.Body);
        Assert.NotEqual(RywEnvelopeStatus.NotStamped, textResult.Status);
        Assert.Equal(2, Rejections(offline.Client));
    }

    [Theory]
    [InlineData("""{"a":1,"ryw/1":"two words"}""", RywEnvelopeStatus.InvalidToken)]
    [InlineData("""{"a":1,"ryw/1":"1.w5\u0022"}""", RywEnvelopeStatus.InvalidToken)]
    [InlineData("""{"a":1,"ryw/1":42}""", RywEnvelopeStatus.Malformed)]
    [InlineData("""{"a":1,"ryw/1":null}""", RywEnvelopeStatus.Malformed)]
    [InlineData("""{"a":1, "ryw/2" : "1.w5"}""", RywEnvelopeStatus.UnsupportedVersion)]
    public void Unwrap_JsonEnvelopeUnusable_NeverSilentlyIgnored(string body, RywEnvelopeStatus expected)
    {
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();

        var result = RywQueueEnvelope.UnwrapInto(session, body);

        Assert.Equal(expected, result.Status);
        Assert.Equal(1, Rejections(offline.Client));
    }

    [Theory]
    [InlineData("""{"a":{"ryw/1":"1.w5"}}""")]
    [InlineData("""{"a":"\"ryw/1\":\"1.w5\"}"}""")]
    [InlineData("""[{"ryw/1":"1.w5"}]""")]
    [InlineData("""{"a":1,"xryw/1":"1.w5"}""")]
    [InlineData("""{"a":1,"ryw/1":"1.w5" """)]
    public void Unwrap_ReservedNameNotATopLevelMember_NotAnEnvelope(string body)
    {
        var result = RywQueueEnvelope.Unwrap(body);

        Assert.Equal(RywEnvelopeStatus.NotStamped, result.Status);
        Assert.Same(body, result.Body);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{ }")]
    [InlineData("""{"a":1 }""")]
    [InlineData("{\n  \"a\": [1, 2],\n  \"b\": {\"c\": null}\n}\n")]
    public void Stamp_ThenUnwrap_RoundTripsCharacterForCharacter(string body)
    {
        var result = RywQueueEnvelope.Unwrap(RywQueueEnvelope.Stamp(body, Token));

        Assert.Equal(RywEnvelopeStatus.Unwrapped, result.Status);
        Assert.Equal(body, result.Body);
    }

    [Fact]
    public void Stamp_BodyUsingReservedNameNotLast_TextFormKeepsBodyAndToken()
    {
        const string body = """{"ryw/1":"1.w5","a":1}""";

        var stamped = RywQueueEnvelope.Stamp(body, Token);
        var result = RywQueueEnvelope.Unwrap(stamped);

        Assert.StartsWith(RywQueueEnvelope.TextPrefix, stamped, StringComparison.Ordinal);
        Assert.Equal(RywEnvelopeStatus.Unwrapped, result.Status);
        Assert.Equal(body, result.Body);
        Assert.Equal(Token, result.Token);
    }
}
