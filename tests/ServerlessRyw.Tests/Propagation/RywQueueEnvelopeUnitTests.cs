using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessRyw.Propagation;
using ServerlessRyw.TestSupport;

namespace ServerlessRyw.Tests.Propagation;

public sealed class RywQueueEnvelopeUnitTests
{
    private const string IdA = "8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e";
    private const string IdB = "1111111111111111111111111111111111111111";

    private static readonly RywToken Token = RywToken.FromPosition(new ReplicationPosition(IdA, 4242));

    [Fact]
    public void Stamp_JsonObject_AddsLastMemberThatPlainDeserializersIgnore()
    {
        const string body = """{"orderId":42,"customer":"Ada"}""";

        var stamped = RywQueueEnvelope.Stamp(body, Token);

        Assert.Equal($$"""{"orderId":42,"customer":"Ada","ryw/1":"{{Token}}"}""", stamped);
        var order = JsonSerializer.Deserialize<Order>(stamped);
        Assert.Equal(new Order(42, "Ada"), order);
    }

    [Fact]
    public void Stamp_PolymorphicJson_TypeDiscriminatorStaysFirst()
    {
        var body = JsonSerializer.Serialize<Shape>(new Circle(2.5));

        var stamped = RywQueueEnvelope.Stamp(body, Token);

        Assert.StartsWith("{\"$type\":\"circle\"", stamped, StringComparison.Ordinal);
        var shape = JsonSerializer.Deserialize<Shape>(stamped);
        Assert.Equal(new Circle(2.5), shape);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{ }")]
    [InlineData("  {\r\n}\n")]
    public void Stamp_EmptyObject_StaysValidJsonAndRoundTrips(string body)
    {
        var stamped = RywQueueEnvelope.Stamp(body, Token);

        using var document = JsonDocument.Parse(stamped);
        Assert.Equal(Token.ToString(), document.RootElement.GetProperty(RywQueueEnvelope.JsonMemberName).GetString());
        var unwrapped = RywQueueEnvelope.Unwrap(stamped);
        Assert.Equal(RywEnvelopeStatus.Unwrapped, unwrapped.Status);
        Assert.Equal(body, unwrapped.Body);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("[1,2,3]")]
    [InlineData("{not json}")]
    [InlineData("\"a json string\"")]
    [InlineData("AAEC/w==")]
    public void Stamp_NotAJsonObject_PrefixesOneLine(string body)
    {
        var stamped = RywQueueEnvelope.Stamp(body, Token);

        Assert.Equal(RywQueueEnvelope.TextPrefix + Token + "\n" + body, stamped);
    }

    [Fact]
    public void Stamp_EmptyToken_ReturnsTheBodyItself()
    {
        const string body = """{"a":1}""";

        Assert.Same(body, RywQueueEnvelope.Stamp(body, RywToken.None));
    }

    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("plain text")]
    public void Stamp_AlreadyStamped_KeepsOneEnvelopeWithTheMaximum(string body)
    {
        var older = RywToken.FromPosition(new ReplicationPosition(IdA, 10));
        var newer = RywToken.FromPosition(new ReplicationPosition(IdA, 99));
        var other = RywToken.FromPosition(new ReplicationPosition(IdB, 5));

        var newerFirst = RywQueueEnvelope.Stamp(RywQueueEnvelope.Stamp(body, newer), older);
        var olderFirst = RywQueueEnvelope.Stamp(RywQueueEnvelope.Stamp(body, older), newer);
        var twoHistories = RywQueueEnvelope.Stamp(RywQueueEnvelope.Stamp(body, newer), other);

        Assert.Equal(RywQueueEnvelope.Stamp(body, newer), newerFirst);
        Assert.Equal(newerFirst, olderFirst);
        Assert.Equal(1, CountOccurrences(twoHistories, RywQueueEnvelope.JsonMemberName));
        var unwrapped = RywQueueEnvelope.Unwrap(twoHistories);
        Assert.Equal(body, unwrapped.Body);
        Assert.Equal(newer.Merge(other), unwrapped.Token);
    }

    [Fact]
    public void Stamp_OverTheLimit_ThrowsWithSizesInsteadOfTruncating()
    {
        var overhead = RywQueueEnvelope.GetEncodedLength(RywQueueEnvelope.Stamp("x", Token)) - 1;
        var fits = new string('x', RywQueueEnvelope.MaxMessageLength - overhead);
        var tooBig = fits + "x";

        var stamped = RywQueueEnvelope.Stamp(fits, Token);
        var error = Assert.Throws<RywMessageTooLargeException>(() => RywQueueEnvelope.Stamp(tooBig, Token));

        Assert.Equal(RywQueueEnvelope.MaxMessageLength, RywQueueEnvelope.GetEncodedLength(stamped));
        Assert.Equal(RywQueueEnvelope.MaxMessageLength + 1, error.MessageLength);
        Assert.Equal(RywQueueEnvelope.MaxMessageLength, error.MaxLength);
        Assert.Equal(tooBig.Length, error.BodyLength);
        Assert.Contains("65537 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("65536-byte limit", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<InvalidOperationException>(error);
    }

    [Fact]
    public void Stamp_MultiByteCharacters_CountsUtf8BytesNotChars()
    {
        // 3 UTF-8 bytes per char: a body of MaxMessageLength / 3 chars is already near the byte limit.
        var body = new string('\u20AC', (RywQueueEnvelope.MaxMessageLength / 3) - 1);

        var error = Assert.Throws<RywMessageTooLargeException>(() => RywQueueEnvelope.Stamp(body, Token));

        Assert.True(error.MessageLength > RywQueueEnvelope.MaxMessageLength);
        Assert.True(body.Length + 100 < RywQueueEnvelope.MaxMessageLength, "the body is far under the limit in chars");
    }

    [Fact]
    public void Stamp_Base64Client_CountsEncodedSize()
    {
        var body = new string('x', 48 * 1024);

        Assert.Equal(RywQueueEnvelope.MaxMessageLength, RywQueueEnvelope.GetEncodedLength(body, RywQueueMessageEncoding.Base64));
        RywQueueEnvelope.Stamp(body, Token); // fits as plain UTF-8
        Assert.Throws<RywMessageTooLargeException>(
            () => RywQueueEnvelope.Stamp(body, Token, RywQueueEnvelope.MaxMessageLength, RywQueueMessageEncoding.Base64));
    }

    [Fact]
    public void Stamp_CustomLimit_IsHonoured()
    {
        Assert.Throws<RywMessageTooLargeException>(() => RywQueueEnvelope.Stamp("hello", Token, maxLength: 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => RywQueueEnvelope.Stamp("hello", Token, maxLength: 0));
    }

    [Theory]
    [InlineData("ryw/1 no end of line")]
    [InlineData("ryw/1 \nbody")]
    [InlineData("ryw/1 two words\nbody")]
    [InlineData("ryw/1 1.w5\r\nbody")]
    public void Unwrap_MalformedEnvelope_DeliversBodyUnchangedAndCountsIt(string body)
    {
        using var counter = new EnvelopeCounter();

        var result = RywQueueEnvelope.Unwrap(body);

        Assert.Equal(RywEnvelopeStatus.Malformed, result.Status);
        Assert.Same(body, result.Body);
        Assert.True(result.Token.IsEmpty);
        Assert.True(counter["malformed"] >= 1);
    }

    [Theory]
    [InlineData("ryw/2 1.w5\nbody")]
    [InlineData("""{"a":1,"ryw/2":"1.w5"}""")]
    public void Unwrap_NewerEnvelopeVersion_DeliversBodyUnchanged(string body)
    {
        var result = RywQueueEnvelope.Unwrap(body);

        Assert.Equal(RywEnvelopeStatus.UnsupportedVersion, result.Status);
        Assert.Same(body, result.Body);
    }

    [Theory]
    [InlineData("ryw/1 1.zz\nthe body", "the body")]
    [InlineData("""{"a":1,"ryw/1":"9.abc"}""", """{"a":1}""")]
    public void Unwrap_InvalidToken_RecoversBodyWithoutToken(string body, string expected)
    {
        var result = RywQueueEnvelope.Unwrap(body);

        Assert.Equal(RywEnvelopeStatus.InvalidToken, result.Status);
        Assert.Equal(expected, result.Body);
        Assert.True(result.Token.IsEmpty);
        Assert.NotNull(result.TokenText);
    }

    [Theory]
    [InlineData("""{"a":{"ryw/1":"1.w5"}}""")]
    [InlineData("""{"a":"\"ryw/1\":\"1.w5\"}"}""")]
    [InlineData("""{"a":1,"xryw/1":"1.w5"}""")]
    [InlineData("""[{"ryw/1":"1.w5"}]""")]
    [InlineData("ryw/ 1.w5\nbody")]
    [InlineData("RYW/1 1.w5\nbody")]
    public void Unwrap_ReservedNameElsewhere_IsNotAnEnvelope(string body)
    {
        var result = RywQueueEnvelope.Unwrap(body);

        Assert.Equal(RywEnvelopeStatus.NotStamped, result.Status);
        Assert.Same(body, result.Body);
    }

    [Theory]
    [InlineData("ryw/1 no end of line", RywTokenRejection.Malformed)]
    [InlineData("ryw/3 1.w5\nbody", RywTokenRejection.UnsupportedVersion)]
    [InlineData("ryw/1 1.zz\nbody", RywTokenRejection.Malformed)]
    [InlineData("ryw/1 5.abc:1\nbody", RywTokenRejection.UnsupportedVersion)]
    public void UnwrapInto_UnreadableEnvelope_SessionCountsItAndReadsCarefully(string body, RywTokenRejection expected)
    {
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();

        var result = RywQueueEnvelope.UnwrapInto(session, body);

        Assert.NotEqual(RywEnvelopeStatus.Unwrapped, result.Status);
        Assert.Equal(1, offline.Client.Statistics[expected]);
        Assert.True(session.Token.IsEmpty);
    }

    [Fact]
    public void UnwrapInto_Stamped_MergesTheTokenIntoTheSession()
    {
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();

        var result = RywQueueEnvelope.UnwrapInto(session, RywQueueEnvelope.Stamp("""{"a":1}""", Token));

        Assert.Equal("""{"a":1}""", result.Body);
        Assert.Equal(Token, session.Token);
        Assert.Equal(0, offline.Client.Statistics[RywTokenRejection.Malformed]);
    }

    [Fact]
    public void UnwrapInto_NotStamped_LeavesTheSessionAlone()
    {
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();

        var result = RywQueueEnvelope.UnwrapInto(session, "plain");

        Assert.Equal(RywEnvelopeStatus.NotStamped, result.Status);
        Assert.Equal(RywTokenStatus.Empty, result.ImportInto(session));
        Assert.True(session.Token.IsEmpty);
    }

    [Fact]
    public void StampThenUnwrap_RandomBodies_RoundTripExactly()
    {
        var bodies = new RandomBodies(seed: 20251122);
        var tokens = new[]
        {
            Token,
            RywToken.FromPosition(new ReplicationPosition(IdB, long.MaxValue), DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_000_000)),
            Token.Merge(RywToken.FromPosition(new ReplicationPosition(IdB, 1))),
            RywToken.FromWriteTime(DateTimeOffset.FromUnixTimeMilliseconds(1)),
        };

        int checkedBodies = 0, textForm = 0;
        for (var i = 0; i < 3000; i++)
        {
            var body = bodies.Next();
            var token = tokens[bodies.Random.Next(tokens.Length)];
            if (RywQueueEnvelope.Unwrap(body).Status is RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken)
            {
                continue; // a body that already is an envelope is re-stamped, not wrapped (tested separately)
            }

            var stamped = RywQueueEnvelope.Stamp(body, token);
            var result = RywQueueEnvelope.Unwrap(stamped);

            Assert.True(RywEnvelopeStatus.Unwrapped == result.Status, $"body #{i} {Escape(body)} stamped as {Escape(stamped)}: {result.Status}");
            Assert.True(string.Equals(body, result.Body, StringComparison.Ordinal), $"body #{i} {Escape(body)} came back as {Escape(result.Body)}");
            Assert.Equal(token, result.Token);
            AssertJsonObjectsStayJsonObjects(body, stamped);
            checkedBodies++;
            textForm += stamped.StartsWith(RywQueueEnvelope.TextPrefix, StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.True(checkedBodies > 2500, $"only {checkedBodies} bodies were checked");
        Assert.True(textForm > 500 && checkedBodies - textForm > 500, $"{textForm} text envelopes, {checkedBodies - textForm} JSON envelopes");
    }

    [Fact]
    public void Stamp_RandomBodiesNearTheLimit_FitExactlyOrThrowNeverTruncate()
    {
        var bodies = new RandomBodies(seed: 7);
        int fitted = 0, refused = 0;
        for (var i = 0; i < 200; i++)
        {
            // Bodies whose stamped size lands within a few bytes either side of 64 KiB.
            var core = bodies.Next();
            var envelope = RywQueueEnvelope.TextPrefix.Length + Token.ToString().Length + 1;
            var target = RywQueueEnvelope.MaxMessageLength - envelope + bodies.Random.Next(-30, 30);
            var padding = Math.Max(0, target - RywQueueEnvelope.GetEncodedLength(core));
            var body = bodies.Random.Next(2) == 0
                ? core + new string('\u00e9', padding / 2)
                : "{\"pad\":\"" + new string('z', padding) + "\"}";
            var unlimited = RywQueueEnvelope.Stamp(body, Token, int.MaxValue);
            var size = RywQueueEnvelope.GetEncodedLength(unlimited);

            if (size <= RywQueueEnvelope.MaxMessageLength)
            {
                Assert.Equal(unlimited, RywQueueEnvelope.Stamp(body, Token));
                Assert.Equal(body, RywQueueEnvelope.Unwrap(unlimited).Body);
                fitted++;
            }
            else
            {
                var error = Assert.Throws<RywMessageTooLargeException>(() => RywQueueEnvelope.Stamp(body, Token));
                Assert.Equal(size, error.MessageLength);
                Assert.Equal(RywQueueEnvelope.GetEncodedLength(body), error.BodyLength);
                refused++;
            }
        }

        Assert.True(fitted > 20 && refused > 20, $"fitted {fitted}, refused {refused}: the sizes did not straddle the limit");
    }

    [Fact]
    public void Unwrap_RandomGarbage_NeverThrowsAndNeverLosesTheBody()
    {
        var bodies = new RandomBodies(seed: 99);
        for (var i = 0; i < 2000; i++)
        {
            var body = bodies.Next();
            var stamped = RywQueueEnvelope.Stamp(body, Token);

            // Damage the stamped message at random: cut it, or change one character.
            var damaged = bodies.Random.Next(2) == 0
                ? stamped[..bodies.Random.Next(stamped.Length + 1)]
                : Replace(stamped, bodies.Random.Next(stamped.Length), bodies.UnicodeText(1));

            var result = RywQueueEnvelope.Unwrap(damaged);

            if (result.Status is RywEnvelopeStatus.NotStamped or RywEnvelopeStatus.Malformed or RywEnvelopeStatus.UnsupportedVersion)
            {
                Assert.Same(damaged, result.Body);
            }
            else
            {
                Assert.True(damaged.Length > result.Body.Length, "an envelope was taken off");
            }
        }
    }

    private static void AssertJsonObjectsStayJsonObjects(string body, string stamped)
    {
        JsonDocument original;
        try
        {
            original = JsonDocument.Parse(body);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException)
        {
            return; // not JSON, or not even valid UTF-16
        }

        using (original)
        {
            // A body using the reserved name at its top level is stamped in the text form (it keeps its token).
            if (original.RootElement.ValueKind != JsonValueKind.Object || RywQueueEnvelope.Unwrap(body).Status != RywEnvelopeStatus.NotStamped)
            {
                return;
            }

            using var after = JsonDocument.Parse(stamped);
            var before = original.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())).ToList();
            var kept = after.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())).ToList();
            Assert.Equal(before, kept.Take(before.Count));
            Assert.Equal(RywQueueEnvelope.JsonMemberName, kept[^1].Name);
        }
    }

    private static string Replace(string text, int index, string replacement) =>
        text.Length == 0 ? replacement : string.Concat(text.AsSpan(0, index), replacement, text.AsSpan(index + 1));

    private static int CountOccurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Length > 300 ? text[..300] : text)
        {
            builder.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }

    public sealed record Order(int OrderId, string Customer)
    {
        [JsonPropertyName("orderId")]
        public int OrderId { get; init; } = OrderId;

        [JsonPropertyName("customer")]
        public string Customer { get; init; } = Customer;
    }

    [JsonPolymorphic]
    [JsonDerivedType(typeof(Circle), "circle")]
    public abstract record Shape;

    public sealed record Circle(double Radius) : Shape;
}
