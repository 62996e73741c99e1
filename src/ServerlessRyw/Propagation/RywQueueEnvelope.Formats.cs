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

        return string.Concat(TextPrefix, tokenText, "\n", body);
    }

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

    /// <summary>Reads a JSON object whose last member is <c>"ryw/&lt;version&gt;":"&lt;token&gt;"</c>, as <see cref="Wrap"/> writes it.</summary>
    private static RywUnwrapResult UnwrapJson(string body)
    {
        var span = body.AsSpan();
        var end = LastNonWhitespace(span);

        // ...,"ryw/1":"<token>"}   (closing brace, then only JSON white space)
        if (end < 1 || span[end] != '}' || span[end - 1] != '"')
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        var valueQuote = span[..(end - 1)].LastIndexOf('"');
        if (valueQuote < 2 || span[valueQuote - 1] != ':' || span[valueQuote - 2] != '"'
            || !IsTokenShaped(span[(valueQuote + 1)..(end - 1)]))
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        var nameEnd = valueQuote - 2;
        var digitsStart = nameEnd;
        while (digitsStart > 0 && char.IsAsciiDigit(span[digitsStart - 1]))
        {
            digitsStart--;
        }

        var digits = nameEnd - digitsStart;
        var nameQuote = digitsStart - MarkerStart.Length - 1;
        if (digits is 0 or > MaxVersionDigits || nameQuote < 1
            || span[nameQuote] != '"' || !span[(nameQuote + 1)..digitsStart].SequenceEqual(MarkerStart))
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        // Our member follows either a comma (after other members) or, in an object that had none, the opening brace.
        int cut;
        if (span[nameQuote - 1] == ',')
        {
            cut = nameQuote - 1;
        }
        else if (LastNonWhitespace(span[..nameQuote]) is var before && before >= 0 && span[before] == '{')
        {
            cut = nameQuote;
        }
        else
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.NotStamped);
        }

        if (!span[digitsStart..nameEnd].SequenceEqual(SupportedVersion))
        {
            return new RywUnwrapResult(body, RywEnvelopeStatus.UnsupportedVersion);
        }

        return Recovered(string.Concat(span[..cut], span[end..]), body[(valueQuote + 1)..(end - 1)]);
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
