using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ServerlessRyw.Propagation;

public static partial class RywQueueEnvelope
{
    private const string MarkerStart = "ryw/";
    private const string SupportedVersion = "1";
    private const int MaxVersionDigits = 3;

    // Longer than any token, so an over-long token is reported as such rather than as a broken envelope.
    private const int MaxTokenField = 4 * RywToken.MaxLength;

    // Invalid UTF-16 (a lone surrogate) is not JSON text: such a body gets the text form.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Wrap(string body, string tokenText)
    {
        if (TryFindJsonObjectEnd(body, out var closingBrace, out var isEmpty))
        {
            // Last member, not first: some deserializers need their own metadata ($type, $id) to come first.
            return new StringBuilder(body.Length + tokenText.Length + JsonMemberName.Length + 6)
                .Append(body, 0, closingBrace)
                .Append(isEmpty ? string.Empty : ",")
                .Append('"').Append(JsonMemberName).Append("\":\"").Append(tokenText).Append('"')
                .Append(body, closingBrace, body.Length - closingBrace)
                .ToString();
        }

        return TextForm(body, tokenText);
    }

    private static string TextForm(string body, string tokenText) => string.Concat(TextPrefix, tokenText, "\n", body);

    private static RywUnwrapResult UnwrapCore(string body) =>
        body.StartsWith(MarkerStart, StringComparison.Ordinal) ? UnwrapText(body) : UnwrapJson(body);

    /// <summary>Reads <c>ryw/&lt;version&gt; &lt;token&gt;\n&lt;body&gt;</c>.</summary>
    private static RywUnwrapResult UnwrapText(string body)
    {
        var at = MarkerStart.Length;
        var digits = CountDigits(body.AsSpan(at));
        if (digits is 0 or > MaxVersionDigits || at + digits >= body.Length || body[at + digits] != ' ')
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        if (!body.AsSpan(at, digits).SequenceEqual(SupportedVersion))
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.UnsupportedVersion);
        }

        var tokenStart = at + digits + 1;
        var newline = body.IndexOf('\n', tokenStart, Math.Min(body.Length - tokenStart, MaxTokenField + 1));
        if (newline < 0 || !IsTokenShaped(body.AsSpan(tokenStart, newline - tokenStart)))
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.Malformed);
        }

        return Recovered(body[(newline + 1)..], body[tokenStart..newline]);
    }

    /// <summary>
    /// Reads a JSON object whose last top-level member is <c>"ryw/&lt;version&gt;":"&lt;token&gt;"</c>, in any valid JSON
    /// layout (other SDKs pretty-print or add spaces). A top-level <c>ryw/&lt;digits&gt;</c> member anywhere else, twice,
    /// or with a non-string value looks like an envelope but cannot be used: Malformed, so it is counted.
    /// </summary>
    private static RywUnwrapResult UnwrapJson(string body)
    {
        var first = FirstNonWhitespace(body);
        if (first < 0 || body[first] != '{' || !body.Contains("\"ryw/", StringComparison.Ordinal))
        {
            // Cheap exits: no JSON object, or the reserved name does not occur at all (escaped names are not reserved).
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(body.Length));
        try
        {
            int length;
            try
            {
                length = StrictUtf8.GetBytes(body, buffer);
            }
            catch (EncoderFallbackException)
            {
                return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
            }

            return ScanJsonMembers(body, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static RywUnwrapResult ScanJsonMembers(string body, ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: true, state: default);
        var reserved = 0;
        var lastIsReserved = false;
        string? version = null, tokenText = null;
        var valueIsString = false;
        long nameStart = -1, valueEnd = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var start = reader.TokenStartIndex;
                var escaped = reader.ValueIsEscaped;
                var name = reader.GetString();
                reader.Read();
                var isReserved = !escaped && IsReservedName(name);
                if (isReserved)
                {
                    reserved++;
                    version = name![MarkerStart.Length..];
                    valueIsString = reader.TokenType == JsonTokenType.String;
                    tokenText = valueIsString ? reader.GetString() : null;
                    nameStart = start;
                }

                reader.Skip();
                lastIsReserved = isReserved;
                if (isReserved)
                {
                    valueEnd = reader.BytesConsumed;
                }
            }

            while (reader.Read())
            {
                // Reading to the end validates the rest: a body that is not one JSON object is not an envelope.
            }
        }
        catch (JsonException)
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        if (reserved == 0)
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        if (reserved > 1 || !lastIsReserved || !valueIsString)
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.Malformed);
        }

        if (!string.Equals(version, SupportedVersion, StringComparison.Ordinal))
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.UnsupportedVersion);
        }

        // Cut from the comma before our member (or from the member itself when it is the only one) to the end of its
        // value: what Wrap inserted comes off exactly, and another writer's layout stays valid JSON.
        var memberAt = Encoding.UTF8.GetCharCount(utf8[..(int)nameStart]);
        var endAt = Encoding.UTF8.GetCharCount(utf8[..(int)valueEnd]);
        var before = LastNonWhitespace(body.AsSpan(0, memberAt));
        var cut = body[before] == ',' ? before : memberAt;
        return Recovered(string.Concat(body.AsSpan(0, cut), body.AsSpan(endAt)), tokenText!);
    }

    /// <summary>Whether a member name is <c>ryw/&lt;1 to 3 digits&gt;</c>.</summary>
    private static bool IsReservedName(string? name)
    {
        if (name is null || !name.StartsWith(MarkerStart, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = name.AsSpan(MarkerStart.Length);
        return digits.Length is > 0 and <= MaxVersionDigits && CountDigits(digits) == digits.Length;
    }

    private static RywUnwrapResult Recovered(string original, string tokenText) =>
        RywToken.TryParse(tokenText.AsSpan(), out var token, out _)
            ? new RywUnwrapResult(original, RywEnvelopeStatus.Unwrapped, token, tokenText)
            : new RywUnwrapResult(original, RywEnvelopeStatus.InvalidToken, default, tokenText);

    /// <summary>
    /// Whether <paramref name="body"/> is one valid JSON object (RFC 8259, depth up to 64, nothing after it but white
    /// space), and where its closing brace is.
    /// </summary>
    private static bool TryFindJsonObjectEnd(string body, out int closingBrace, out bool isEmpty)
    {
        isEmpty = false;
        closingBrace = LastNonWhitespace(body);
        var first = FirstNonWhitespace(body);
        if (first < 0 || body[first] != '{' || body[closingBrace] != '}')
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(body.Length));
        try
        {
            var length = StrictUtf8.GetBytes(body, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length), isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read())
            {
                return false;
            }

            isEmpty = reader.TokenType == JsonTokenType.EndObject;
            while (reader.Read())
            {
                // Reading to the end validates the whole document, including that nothing follows the object.
            }

            return true;
        }
        catch (Exception exception) when (exception is JsonException or EncoderFallbackException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Characters a token may be made of, now or in a later format: printable ASCII that needs no escaping in a JSON
    /// string, an HTTP header or a W3C baggage value.
    /// </summary>
    private static bool IsTokenShaped(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > MaxTokenField)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '!' or > '~' or '"' or '\\' or ',' or ';')
            {
                return false;
            }
        }

        return true;
    }

    private static int CountDigits(ReadOnlySpan<char> text)
    {
        var count = 0;
        while (count < text.Length && char.IsAsciiDigit(text[count]))
        {
            count++;
        }

        return count;
    }

    private static bool IsJsonWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r';

    private static int FirstNonWhitespace(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsJsonWhitespace(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static int LastNonWhitespace(ReadOnlySpan<char> text)
    {
        for (var i = text.Length - 1; i >= 0; i--)
        {
            if (!IsJsonWhitespace(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
