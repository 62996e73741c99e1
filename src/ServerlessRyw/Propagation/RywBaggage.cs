using System.Globalization;
using System.Text;

namespace ServerlessRyw.Propagation;

/// <summary>
/// Reads and edits W3C Baggage header values (https://www.w3.org/TR/baggage/) at the text level: the token's entry
/// is found or replaced while every other entry is kept exactly as it was.
/// </summary>
internal static class RywBaggage
{
    /// <summary>The W3C limit on list members a platform must propagate; beyond it entries may be dropped.</summary>
    public const int MaxMembers = 64;

    /// <summary>The W3C limit on the whole baggage value, in bytes.</summary>
    public const int MaxBytes = 8192;

    /// <summary>Adds the (percent-decoded) non-empty values of every <see cref="RywHeaderNames.BaggageKey"/> entry to <paramref name="values"/>.</summary>
    public static void CollectTokenValues(string? header, List<string> values)
    {
        if (string.IsNullOrEmpty(header))
        {
            return;
        }

        foreach (var range in header.AsSpan().Split(','))
        {
            if (TrySplitMember(header.AsSpan()[range], out var key, out var value)
                && key.SequenceEqual(RywHeaderNames.BaggageKey)
                && !value.IsEmpty)
            {
                values.Add(PercentDecode(value));
            }
        }
    }

    /// <summary>
    /// The baggage value with the token's entry set to <paramref name="token"/> merged with any token entries already
    /// there, every other member kept; <see langword="null"/> when the result would break the W3C limits.
    /// </summary>
    public static string? WithToken(IEnumerable<string>? existing, RywToken token)
    {
        var kept = new List<string>();
        var merged = token;
        foreach (var header in existing ?? [])
        {
            if (string.IsNullOrEmpty(header))
            {
                continue;
            }

            foreach (var range in header.AsSpan().Split(','))
            {
                var member = header.AsSpan()[range].Trim(" \t");
                if (member.IsEmpty)
                {
                    continue;
                }

                if (TrySplitMember(member, out var key, out var value) && key.SequenceEqual(RywHeaderNames.BaggageKey))
                {
                    // An upstream value the session did not import still must not be lost: keep the maximum.
                    if (RywToken.TryParse(PercentDecode(value).AsSpan(), out var upstream, out _))
                    {
                        merged = merged.Merge(upstream);
                    }

                    continue;
                }

                kept.Add(member.ToString());
            }
        }

        if (kept.Count + 1 > MaxMembers)
        {
            return null;
        }

        kept.Add(RywHeaderNames.BaggageKey + "=" + PercentEncode(merged.ToString()));
        var result = string.Join(",", kept);
        return Encoding.UTF8.GetByteCount(result) > MaxBytes ? null : result;
    }

    private static bool TrySplitMember(ReadOnlySpan<char> member, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        // list-member = key OWS "=" OWS value *( OWS ";" OWS property )
        var properties = member.IndexOf(';');
        if (properties >= 0)
        {
            member = member[..properties];
        }

        var equals = member.IndexOf('=');
        if (equals <= 0)
        {
            key = value = default;
            return false;
        }

        key = member[..equals].Trim(" \t");
        value = member[(equals + 1)..].Trim(" \t");
        return !key.IsEmpty;
    }

    private static string PercentDecode(ReadOnlySpan<char> value)
    {
        if (!value.Contains('%'))
        {
            return value.ToString();
        }

        // Escapes stand for UTF-8 bytes; everything else in a baggage value is ASCII by the W3C grammar.
        var bytes = new byte[value.Length];
        var count = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length
                && byte.TryParse(value.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var decoded))
            {
                bytes[count++] = decoded;
                i += 2;
            }
            else if (char.IsAscii(c))
            {
                bytes[count++] = (byte)c;
            }
            else
            {
                // Not a baggage value: keep it as it is, so it is rejected (and counted) as a bad token.
                return value.ToString();
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, count);
    }

    private static string PercentEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (IsBaggageOctet(b) && b != '%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    // baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
    private static bool IsBaggageOctet(byte b) =>
        b == 0x21 || b is >= 0x23 and <= 0x2B || b is >= 0x2D and <= 0x3A || b is >= 0x3C and <= 0x5B || b is >= 0x5D and <= 0x7E;
}
