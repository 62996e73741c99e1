using System.Text;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

public sealed class QueueMessageStamperUnitTests
{
    private static readonly RywToken Token = Tokens.At(4242);
    private readonly QueueMessageStamper _stamper = new(Json.Serialize);

    [Fact]
    public void Stamp_StringMessage_ReturnsEnvelopeThatUnwrapsToOriginal()
    {
        var outcome = _stamper.Stamp("order 42 accepted", Token);

        Assert.True(outcome.Changed);
        Assert.Equal(1, outcome.Stamped);
        var text = Assert.IsType<string>(outcome.Value);
        Assert.NotEqual("order 42 accepted", text);
        var unwrapped = RywQueueEnvelope.Unwrap(text);
        Assert.Equal(RywEnvelopeStatus.Unwrapped, unwrapped.Status);
        Assert.Equal("order 42 accepted", unwrapped.Body);
        Assert.Equal(Token, unwrapped.Token);
    }

    [Fact]
    public void Stamp_PocoMessage_SerializesWithWorkerSerializerThenStamps()
    {
        var order = new OrderMessage(42, "contoso");

        var outcome = _stamper.Stamp(order, Token);

        var unwrapped = RywQueueEnvelope.Unwrap(Assert.IsType<string>(outcome.Value));
        Assert.Equal(RywEnvelopeStatus.Unwrapped, unwrapped.Status);
        Assert.Equal(Json.Serialize(order), unwrapped.Body);
        Assert.Equal(order, Json.Deserialize<OrderMessage>(unwrapped.Body));
    }

    [Fact]
    public void Stamp_PocoMessage_EnvelopeStillDeserializesWithoutTheToolkit()
    {
        // A consumer that does not use ServerlessRyw still gets every field of a JSON object message.
        var order = new OrderMessage(7, "fabrikam");

        var outcome = _stamper.Stamp(order, Token);

        Assert.Equal(order, Json.Deserialize<OrderMessage>((string)outcome.Value!));
    }

    [Fact]
    public void Stamp_StringArray_StampsEveryMessage()
    {
        var outcome = _stamper.Stamp(new[] { "a", "b", "c" }, Token);

        var messages = Assert.IsType<string[]>(outcome.Value);
        Assert.Equal(3, outcome.Stamped);
        Assert.Equal(["a", "b", "c"], messages.Select(m => RywQueueEnvelope.Unwrap(m).Body));
        Assert.All(messages, m => Assert.Equal(Token, RywQueueEnvelope.Unwrap(m).Token));
    }

    [Fact]
    public void Stamp_PocoList_ReturnsOneEnvelopePerElement()
    {
        var orders = new List<OrderMessage> { new(1, "a"), new(2, "b") };

        var outcome = _stamper.Stamp(orders, Token);

        var messages = Assert.IsType<string[]>(outcome.Value);
        Assert.Equal(2, outcome.Stamped);
        Assert.Equal(orders, messages.Select(m => Json.Deserialize<OrderMessage>(RywQueueEnvelope.Unwrap(m).Body)));
    }

    [Fact]
    public void Stamp_LazyEnumerable_IsEnumeratedOnce()
    {
        var enumerations = 0;
        IEnumerable<string> Messages()
        {
            enumerations++;
            yield return "x";
            yield return "y";
        }

        var outcome = _stamper.Stamp(Messages(), Token);

        Assert.Equal(1, enumerations);
        Assert.Equal(2, Assert.IsType<string[]>(outcome.Value).Length);
    }

    [Fact]
    public void Stamp_Utf8Bytes_BecomesStampedText()
    {
        var outcome = _stamper.Stamp(Encoding.UTF8.GetBytes("héllo"), Token);

        Assert.Equal("héllo", RywQueueEnvelope.Unwrap(Assert.IsType<string>(outcome.Value)).Body);
    }

    [Fact]
    public void Stamp_ReadOnlyMemoryBytes_BecomesStampedText()
    {
        ReadOnlyMemory<byte> bytes = Encoding.UTF8.GetBytes("payload");

        var outcome = _stamper.Stamp(bytes, Token);

        Assert.Equal("payload", RywQueueEnvelope.Unwrap(Assert.IsType<string>(outcome.Value)).Body);
    }

    [Fact]
    public void Stamp_BinaryBytes_SentUnchangedAndCounted()
    {
        var bytes = new byte[] { 0xFF, 0xFE, 0x00, 0xC3 };

        var outcome = _stamper.Stamp(bytes, Token);

        Assert.False(outcome.Changed);
        Assert.Same(bytes, outcome.Value);
        Assert.Equal(1, outcome.NotText);
    }

    [Fact]
    public void Stamp_CollectionWithBinaryElement_KeepsThatElementAndStampsTheRest()
    {
        var binary = new byte[] { 0xFF, 0xFE };

        var outcome = _stamper.Stamp(new object[] { "text", binary }, Token);

        var values = Assert.IsType<object[]>(outcome.Value);
        Assert.Equal("text", RywQueueEnvelope.Unwrap((string)values[0]).Body);
        Assert.Same(binary, values[1]);
        Assert.Equal(1, outcome.Stamped);
        Assert.Equal(1, outcome.NotText);
    }

    [Fact]
    public void Stamp_Dictionary_IsOneJsonObjectMessage()
    {
        var message = new Dictionary<string, object> { ["orderId"] = 42 };

        var outcome = _stamper.Stamp(message, Token);

        var text = Assert.IsType<string>(outcome.Value);
        Assert.Equal("""{"orderId":42}""", RywQueueEnvelope.Unwrap(text).Body);
    }

    [Fact]
    public void Stamp_EmptyToken_LeavesMessageAlone()
    {
        var outcome = _stamper.Stamp("plain", RywToken.None);

        Assert.False(outcome.Changed);
        Assert.Equal("plain", outcome.Value);
    }

    [Fact]
    public void Stamp_Null_LeavesItAlone()
    {
        var outcome = _stamper.Stamp(null, Token);

        Assert.False(outcome.Changed);
        Assert.Null(outcome.Value);
    }

    [Fact]
    public void Stamp_AlreadyEnveloped_KeepsOneEnvelopeWithNewestToken()
    {
        // A function forwarding the message it received, with the older token still on it.
        var forwarded = RywQueueEnvelope.Stamp("body", Tokens.At(10));

        var outcome = _stamper.Stamp(forwarded, Token);

        var unwrapped = RywQueueEnvelope.Unwrap((string)outcome.Value!);
        Assert.Equal("body", unwrapped.Body);
        Assert.Equal(Token, unwrapped.Token);
        Assert.Equal(RywEnvelopeStatus.NotStamped, RywQueueEnvelope.Unwrap(unwrapped.Body).Status);
    }

    [Fact]
    public void Stamp_EnvelopeOverQueueLimit_SendsOriginalAndCountsIt()
    {
        // Base64 (the queue extension's default) turns 3 bytes into 4: 49,140 bytes fit alone, not with the envelope.
        var body = new string('x', 49_140);
        Assert.True(RywQueueEnvelope.GetEncodedLength(body, RywQueueMessageEncoding.Base64) < RywQueueEnvelope.MaxMessageLength);

        var outcome = _stamper.Stamp(body, Token);

        Assert.False(outcome.Changed);
        Assert.Same(body, outcome.Value);
        Assert.Equal(1, outcome.TooLarge);
    }

    [Fact]
    public void Stamp_NoneEncoding_AllowsLargerBodies()
    {
        var stamper = new QueueMessageStamper(Json.Serialize, RywQueueMessageEncoding.None);

        var outcome = stamper.Stamp(new string('x', 49_140), Token);

        Assert.True(outcome.Changed);
    }

    [Fact]
    public void Stamp_SerializerThrows_SendsOriginalAndCountsIt()
    {
        var stamper = new QueueMessageStamper(_ => throw new NotSupportedException("cycle"));
        var order = new OrderMessage(1, "a");

        var outcome = stamper.Stamp(order, Token);

        Assert.False(outcome.Changed);
        Assert.Same(order, outcome.Value);
        Assert.Equal(1, outcome.NotSerializable);
    }

    [Theory]
    [InlineData("text", false)]
    [InlineData(new byte[] { 1 }, false)]
    [InlineData(new[] { "a" }, true)]
    public void IsCollection_Shapes_MatchesHostBehaviour(object value, bool expected)
    {
        Assert.Equal(expected, QueueMessageStamper.IsCollection(value));
    }

    [Fact]
    public void IsCollection_ReadOnlyDictionary_IsOneMessage()
    {
        IReadOnlyDictionary<string, int> value = new Dictionary<string, int> { ["a"] = 1 }.AsReadOnly();

        Assert.False(QueueMessageStamper.IsCollection(value));
    }
}
