using System.Text;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

public sealed class QueueTriggerMappingUnitTests
{
    [Theory]
    [InlineData(typeof(string), QueueParameterShape.Text)]
    [InlineData(typeof(OrderMessage), QueueParameterShape.Text)]
    [InlineData(typeof(byte[]), QueueParameterShape.Text)]
    [InlineData(typeof(ReadOnlyMemory<byte>), QueueParameterShape.Text)]
    [InlineData(typeof(System.BinaryData), QueueParameterShape.BinaryData)]
    [InlineData(typeof(global::Azure.Storage.Queues.Models.QueueMessage), QueueParameterShape.QueueMessage)]
    public void ClassifyParameter_Type_ReturnsShape(Type type, object expectedValue)
    {
        var expected = (QueueParameterShape)expectedValue;
        Assert.Equal(expected, QueueTriggerMapping.ClassifyParameter(type));
    }

    [Fact]
    public void TryReadText_String_ReturnsIt()
    {
        Assert.True(QueueTriggerMapping.TryReadText("hello", out var text));
        Assert.Equal("hello", text);
    }

    [Fact]
    public void TryReadText_Utf8Bytes_Decodes()
    {
        Assert.True(QueueTriggerMapping.TryReadText(Encoding.UTF8.GetBytes("héllo"), out var text));
        Assert.Equal("héllo", text);
        Assert.True(QueueTriggerMapping.TryReadText(new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes("x")), out text));
        Assert.Equal("x", text);
    }

    [Fact]
    public void TryReadText_BinaryOrOtherSource_False()
    {
        Assert.False(QueueTriggerMapping.TryReadText(new byte[] { 0xFF, 0xFE }, out _));
        Assert.False(QueueTriggerMapping.TryReadText(42, out _));
        Assert.False(QueueTriggerMapping.TryReadText(null, out _));
    }

    [Fact]
    public void Unwrap_StampedPoco_RebindsToOriginalJson()
    {
        var order = new OrderMessage(42, "contoso");
        var stamped = (string)new QueueMessageStamper(Json.Serialize).Stamp(order, Tokens.At(5)).Value!;

        Assert.True(QueueTriggerMapping.TryReadText(Encoding.UTF8.GetBytes(stamped), out var received));
        var result = QueueTriggerMapping.Unwrap(received);

        Assert.True(QueueTriggerMapping.ShouldRebind(result));
        Assert.True(QueueTriggerMapping.ShouldImport(result));
        Assert.Equal(Json.Serialize(order), result.Body);
        Assert.Equal(Tokens.At(5), result.Token);
    }

    [Fact]
    public void Unwrap_PlainMessage_NeitherRebindsNorImports()
    {
        var result = QueueTriggerMapping.Unwrap("""{"orderId":1}""");

        Assert.Equal(RywEnvelopeStatus.NotStamped, result.Status);
        Assert.False(QueueTriggerMapping.ShouldRebind(result));
        Assert.False(QueueTriggerMapping.ShouldImport(result));
        Assert.Equal("""{"orderId":1}""", result.Body);
    }

    [Fact]
    public void Unwrap_EnvelopeWithUnreadableToken_RebindsBodyAndImportsSoTheSessionCountsIt()
    {
        var result = QueueTriggerMapping.Unwrap("ryw/1 9.abc\nbody");

        Assert.Equal(RywEnvelopeStatus.InvalidToken, result.Status);
        Assert.True(QueueTriggerMapping.ShouldRebind(result));
        Assert.True(QueueTriggerMapping.ShouldImport(result));
        Assert.Equal("body", result.Body);
    }

    [Fact]
    public void Unwrap_MalformedEnvelope_KeepsTextButImports()
    {
        var text = "ryw/1 bad token!\nbody";

        var result = QueueTriggerMapping.Unwrap(text);

        Assert.Equal(RywEnvelopeStatus.Malformed, result.Status);
        Assert.False(QueueTriggerMapping.ShouldRebind(result));
        Assert.True(QueueTriggerMapping.ShouldImport(result));
        Assert.Equal(text, result.Body);
    }
}
