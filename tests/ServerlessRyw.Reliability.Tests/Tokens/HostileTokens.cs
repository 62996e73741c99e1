using System.Globalization;
using System.Text;

namespace ServerlessRyw.Reliability.Tests.Tokens;

/// <summary>What the hostile cases are made against: the primary's history, an offset the case's key was written at, an honest token.</summary>
/// <param name="ReplicationId">The primary's current history.</param>
/// <param name="Offset">The primary's offset right after the write the case reads.</param>
/// <param name="HonestToken">The writer's exported token for that write.</param>
/// <param name="Now">The time the cases are made.</param>
public sealed record TokenScene(string ReplicationId, long Offset, string HonestToken, DateTimeOffset Now);

/// <summary>One generated case: one or more values of the token header (or the text of one envelope).</summary>
public sealed record HostileCase(int Index, string Category, IReadOnlyList<string> Values)
{
    public override string ToString() =>
        $"#{Index} {Category}: [{string.Join(" | ", Values.Select(v => v.Length > 120 ? v[..120] + $"…({v.Length} chars)" : v))}]";
}

/// <summary>
/// Generates hostile token values, reproducibly (a fixed seed per case index): random bytes, huge, unicode, negative
/// and overflowing offsets, far-future offsets and write times, foreign histories, duplicated and conflicting values,
/// mangled honest tokens, signature-shaped suffixes, and honest tokens as the control.
/// </summary>
public static class HostileTokens
{
    public const int Seed = 20_240_601;

    public static readonly string[] Categories =
    [
        "random-ascii", "random-bytes", "huge", "unicode", "negative-offset", "overflow-offset", "far-future-offset",
        "far-future-write-time", "foreign-history", "duplicated", "multi-value", "mutated-honest", "honest", "honest-older",
        "signature-shaped", "empty", "versions", "too-many-positions", "control-chars", "long-id",
    ];

    private const string Printable = "!#$%&'()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~ \"\\,";
    private const string TokenChars = "0123456789abcdef.:w";

    public static HostileCase Create(int index, TokenScene scene)
    {
        var random = new Random(unchecked((Seed * 397) ^ index));
        var category = Categories[index % Categories.Length];
        var values = category switch
        {
            "random-ascii" => [RandomText(random, random.Next(1, 81), Printable)],
            "random-bytes" => [RandomLatin1(random, random.Next(1, 301))],
            "huge" => [Huge(random, scene)],
            "unicode" => [Unicode(random, scene)],
            "negative-offset" => [$"1.{scene.ReplicationId}:-{random.NextInt64(1, long.MaxValue)}"],
            "overflow-offset" => [$"1.{scene.ReplicationId}:{Overflow(random)}"],
            "far-future-offset" => [$"1.{scene.ReplicationId}:{FarOffset(random, scene)}"],
            "far-future-write-time" => [FarWriteTime(random, scene)],
            "foreign-history" => [Foreign(random)],
            "duplicated" => [Duplicated(random, scene)],
            "multi-value" => MultiValue(random, scene, index),
            "mutated-honest" => [Mutate(random, scene.HonestToken)],
            "honest" => [scene.HonestToken],
            "honest-older" => [$"1.{scene.ReplicationId}:{random.NextInt64(0, Math.Max(1, scene.Offset))}"],
            "signature-shaped" => [SignatureShaped(random, scene)],
            "empty" => [Pick(random, "", " ", "\t", "  \t ", ",", " , ,")],
            "versions" => [Versions(random, scene)],
            "too-many-positions" => [TooMany(random, scene)],
            "control-chars" => [ControlChars(random, scene)],
            "long-id" => [LongId(random, scene)],
            _ => throw new InvalidOperationException(category),
        };
        return new HostileCase(index, category, values);
    }

    private static string[] MultiValue(Random random, TokenScene scene, int index)
    {
        // Repeated headers and comma-separated values, mixing the honest token with hostile ones.
        var other = Create(index + (Categories.Length * random.Next(1, 50)) + 1 + random.Next(Categories.Length - 2), scene);
        var hostile = other.Values[0];
        return random.Next(4) switch
        {
            0 => [scene.HonestToken, hostile],
            1 => [$"{hostile}, {scene.HonestToken}"],
            2 => [hostile, hostile, scene.HonestToken, Foreign(random)],
            _ => [$"{scene.HonestToken},{Foreign(random)},{FarWriteTime(random, scene)}"],
        };
    }

    private static string Huge(Random random, TokenScene scene) => random.Next(3) switch
    {
        0 => RandomText(random, random.Next(RywToken.MaxLength + 1, 65_536), TokenChars),
        1 => "1." + string.Join('.', Enumerable.Range(0, random.Next(20, 400)).Select(i => $"{scene.ReplicationId}:{i}")),
        _ => scene.HonestToken + new string('0', random.Next(RywToken.MaxLength, 20_000)),
    };

    private static string Unicode(Random random, TokenScene scene)
    {
        var id = scene.ReplicationId;
        return random.Next(7) switch
        {
            0 => $"1.{id}:{FullWidth(scene.Offset)}",                              // digits that are not ASCII digits
            1 => $"1.{id[..^1]}\u0430:{scene.Offset}",                              // a Cyrillic letter in the id
            2 => $"\u202E{scene.HonestToken}",                                      // right-to-left override
            3 => scene.HonestToken.Insert(random.Next(scene.HonestToken.Length), "\u200B"), // zero-width space
            4 => $"1.{id}:{scene.Offset}\uD800",                                    // a lone surrogate
            5 => $"1.{id}:{string.Concat(scene.Offset.ToString(CultureInfo.InvariantCulture).Select(c => (char)('\u0660' + (c - '0'))))}", // Arabic-Indic digits
            _ => RandomUnicode(random, random.Next(1, 200)),
        };
    }

    private static string Overflow(Random random) => random.Next(6) switch
    {
        0 => "9223372036854775807",
        1 => "9223372036854775808",
        2 => "18446744073709551616",
        3 => "0000000000000000000001",
        4 => RandomText(random, random.Next(20, 60), "0123456789"),
        _ => "1" + new string('9', random.Next(19, 40)),
    };

    private static string FarOffset(Random random, TokenScene scene)
    {
        var jump = (long)Math.Pow(10, random.Next(6, 18));
        return random.Next(5) == 0 ? long.MaxValue.ToString(CultureInfo.InvariantCulture) : (scene.Offset + jump).ToString(CultureInfo.InvariantCulture);
    }

    private static string FarWriteTime(Random random, TokenScene scene)
    {
        var now = scene.Now.ToUnixTimeMilliseconds();
        var at = random.Next(5) switch
        {
            0 => now + (long)TimeSpan.FromDays(365 * random.Next(1, 100)).TotalMilliseconds,
            1 => now + (long)TimeSpan.FromMinutes(random.Next(1, 600)).TotalMilliseconds,
            2 => 253_402_300_799_999L, // 9999-12-31, the last instant DateTimeOffset holds
            3 => 253_402_300_800_000L + random.NextInt64(0, 1_000_000_000_000), // beyond year 9999
            _ => long.MaxValue,
        };
        return random.Next(2) == 0
            ? $"1.w{at}"
            : $"1.w{at}.{scene.ReplicationId}:{scene.Offset}";
    }

    private static string Foreign(Random random)
    {
        var id = random.Next(3) == 0 ? RandomText(random, random.Next(1, 41), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") : RandomText(random, 40, "0123456789abcdef");
        var offset = random.Next(2) == 0 ? random.NextInt64(0, 1000) : random.NextInt64(0, long.MaxValue);
        return $"1.{id}:{offset}";
    }

    private static string Duplicated(Random random, TokenScene scene)
    {
        var id = scene.ReplicationId;
        var small = random.NextInt64(0, Math.Max(1, scene.Offset));
        return random.Next(5) switch
        {
            0 => $"1.{id}:{small}.{id}:{scene.Offset}",
            1 => $"1.{id}:{scene.Offset + 1_000_000_000}.{id}:{small}",
            2 => $"1.{id}:{small}.{Foreign(random)[2..]}.{id}:{small}",
            3 => $"1.w1.w2.{id}:{small}",
            _ => $"{scene.HonestToken}.{scene.HonestToken[2..]}",
        };
    }

    private static string Mutate(Random random, string honest)
    {
        var chars = honest.ToCharArray().ToList();
        var at = random.Next(chars.Count);
        switch (random.Next(6))
        {
            case 0:
                chars[at] = Printable[random.Next(Printable.Length)];
                break;
            case 1:
                chars.RemoveAt(at);
                break;
            case 2:
                chars.Insert(at, Printable[random.Next(Printable.Length)]);
                break;
            case 3:
                chars.RemoveRange(at, chars.Count - at);
                break;
            case 4 when at + 1 < chars.Count:
                (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
                break;
            default:
                chars[0] = (char)('0' + random.Next(10));
                break;
        }

        return new string([.. chars]);
    }

    private static string SignatureShaped(Random random, TokenScene scene)
    {
        var signature = ".s" + RandomText(random, 22, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
        return random.Next(3) switch
        {
            0 => scene.HonestToken + signature,
            1 => $"1.{scene.ReplicationId}:{scene.Offset + 1_000_000}{signature}",
            _ => RandomText(random, random.Next(1, 30), TokenChars) + signature,
        };
    }

    private static string Versions(Random random, TokenScene scene)
    {
        var id = scene.ReplicationId;
        return Pick(random, $"2.{id}:{scene.Offset}", $"0.{id}:{scene.Offset}", $"01.{id}:{scene.Offset}", "1", "1.", "1..", ".", ":",
            "1.:5", $"1.{id}:", "999.x", $"v1.{id}:{scene.Offset}", $"1 .{id}:{scene.Offset}", $"1.{id} :{scene.Offset}", $"1.{id}:{scene.Offset}.",
            "ryw/1", $"1.W{scene.Now.ToUnixTimeMilliseconds()}", "1.w0", $"1.w-5.{id}:1", $"12345678901234567890.{id}:1");
    }

    private static string TooMany(Random random, TokenScene scene)
    {
        var count = random.Next(RywToken.MaxPositions + 1, 40);
        return "1." + string.Join('.', Enumerable.Range(0, count).Select(i => $"{RandomText(random, 40, "0123456789abcdef")}:{scene.Offset + i}"));
    }

    private static string ControlChars(Random random, TokenScene scene)
    {
        var control = Pick(random, "\0", "\r\n", "\n", "\r", "\t", "\u007f", "\u0001", "\u001b[31m", "\r\nX-Injected: 1");
        return random.Next(2) == 0 ? scene.HonestToken.Insert(random.Next(scene.HonestToken.Length + 1), control) : scene.HonestToken + control;
    }

    private static string LongId(Random random, TokenScene scene) => random.Next(3) switch
    {
        0 => $"1.{RandomText(random, random.Next(41, 300), "0123456789abcdef")}:{scene.Offset}",
        1 => $"1.{scene.ReplicationId}{scene.ReplicationId}:{scene.Offset}",
        _ => $"1.{scene.ReplicationId}-x:{scene.Offset}",
    };

    private static string FullWidth(long value) =>
        string.Concat(value.ToString(CultureInfo.InvariantCulture).Select(c => (char)('\uFF10' + (c - '0'))));

    private static string RandomText(Random random, int length, string alphabet)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static string RandomLatin1(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return Encoding.Latin1.GetString(bytes);
    }

    private static string RandomUnicode(Random random, int length)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var codePoint = random.Next(4) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x800, 0xD800),
                _ => random.Next(0x10000, 0x10FFFF),
            };
            builder.Append(char.ConvertFromUtf32(codePoint));
        }

        return builder.ToString();
    }

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];
}
