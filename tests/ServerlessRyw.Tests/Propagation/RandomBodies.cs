using System.Globalization;
using System.Text;

namespace ServerlessRyw.Tests.Propagation;

/// <summary>A small seeded generator of message bodies for property tests: text, Base64 binary, JSON, near-misses.</summary>
public sealed class RandomBodies(int seed)
{
    private static readonly string[] Keys = ["id", "name", "ryw/1", "ryw/2", "ryw", "$type", "a b", "\u00e9t\u00e9", "x\"y", "k\\"];
    private const string Specials = "{}\",:\\ryw/1 \n";
    private readonly Random _random = new(seed);

    public Random Random => _random;

    public string Next()
    {
        return _random.Next(9) switch
        {
            0 => UnicodeText(_random.Next(0, 200)),
            1 => Convert.ToBase64String(RandomBytes(_random.Next(0, 300))),
            2 => JsonObject(depth: 0),
            3 => Whitespace() + JsonObject(depth: 0) + Whitespace(),
            4 => JsonWithReservedName(),
            5 => NearEnvelope(),
            6 => "[" + JsonValue(1) + "]",
            7 => AsciiText(_random.Next(0, 100)),
            _ => _random.Next(4) switch
            {
                0 => string.Empty,
                1 => "{}",
                2 => "{ }",
                _ => "{",
            },
        };
    }

    public string UnicodeText(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            switch (_random.Next(10))
            {
                case 0:
                    builder.Append((char)_random.Next(0, 0x20)); // control characters, \n, \r
                    break;
                case 1:
                    builder.Append(char.ConvertFromUtf32(_random.Next(0x1F300, 0x1FAFF))); // surrogate pair
                    break;
                case 2:
                    builder.Append((char)_random.Next(0xD800, 0xE000)); // a lone surrogate
                    break;
                case 3:
                    builder.Append(Specials[_random.Next(Specials.Length)]);
                    break;
                default:
                    builder.Append((char)_random.Next(0x20, 0x3000));
                    break;
            }
        }

        return builder.ToString();
    }

    public string AsciiText(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)_random.Next(0x20, 0x7F));
        }

        return builder.ToString();
    }

    public byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    public string JsonObject(int depth)
    {
        var members = _random.Next(0, depth > 2 ? 2 : 5);
        var builder = new StringBuilder("{").Append(Whitespace());
        for (var i = 0; i < members; i++)
        {
            if (i > 0)
            {
                builder.Append(Whitespace()).Append(',').Append(Whitespace());
            }

            builder.Append(JsonString(Keys[_random.Next(Keys.Length)] + _random.Next(3)))
                .Append(Whitespace()).Append(':').Append(Whitespace())
                .Append(JsonValue(depth + 1));
        }

        return builder.Append(Whitespace()).Append('}').ToString();
    }

    /// <summary>JSON objects that mention the reserved member name anywhere but as a token-valued last member.</summary>
    public string JsonWithReservedName()
    {
        return _random.Next(6) switch
        {
            0 => "{\"ryw/1\":\"1.w5\",\"a\":1}",
            1 => "{\"a\":{\"ryw/1\":\"1.w5\"}}",
            2 => "{\"a\":\"\\\"ryw/1\\\":\\\"1.w5\\\"}\"}",
            3 => "{\"ryw/1\":" + JsonValue(1) + ",\"b\":" + JsonValue(1) + "}",
            4 => "{\"ryw/1\":" + (_random.Next(2) == 0 ? "42" : "{\"t\":\"1.w5\"}") + "}",
            _ => "{\"ryw/1\":\"not a token\"}",
        };
    }

    /// <summary>Texts that start like an envelope without being one.</summary>
    public string NearEnvelope()
    {
        return _random.Next(6) switch
        {
            0 => "ryw/" + AsciiText(_random.Next(0, 20)),
            1 => "ryw/x " + UnicodeText(10),
            2 => "ryw/1" + UnicodeText(10).Replace(" ", string.Empty, StringComparison.Ordinal),
            3 => "ryw/1 no end of line",
            4 => "ryw/7 1.w5\nbody",
            _ => "ryw/1 bad token with spaces\nbody",
        };
    }

    public static string JsonString(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private string JsonValue(int depth) => _random.Next(depth > 2 ? 5 : 7) switch
    {
        0 => _random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
        1 => "true",
        2 => "null",
        3 => JsonString(ValidUnicode(_random.Next(0, 30))),
        4 => (_random.NextDouble() * 1e6).ToString("R", CultureInfo.InvariantCulture),
        5 => JsonObject(depth),
        _ => "[" + JsonValue(depth + 1) + "," + Whitespace() + JsonValue(depth + 1) + "]",
    };

    private string ValidUnicode(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(_random.Next(5) == 0 ? char.ConvertFromUtf32(_random.Next(0x1F300, 0x1FAFF)) : ((char)_random.Next(0x20, 0xD000)).ToString());
        }

        return builder.ToString();
    }

    private string Whitespace() => _random.Next(4) switch
    {
        0 => " ",
        1 => "\r\n  ",
        2 => "\t",
        _ => string.Empty,
    };
}
