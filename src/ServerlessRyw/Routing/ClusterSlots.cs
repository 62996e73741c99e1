using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Redis Cluster's key-to-slot mapping (CRC16/XMODEM of the key or its <c>{hash tag}</c>, modulo 16384), and short
/// keys that land on a chosen shard: routing a probe "by key" through StackExchange.Redis sends it to that shard's
/// primary without admin mode or version-specific server APIs.
/// </summary>
internal static class ClusterSlots
{
    /// <summary>How many hash slots a Redis Cluster has.</summary>
    public const int Count = 16384;

    /// <summary>The slot a key belongs to, exactly as Redis computes it.</summary>
    public static int Of(RedisKey key)
    {
        byte[]? bytes = key;
        return bytes is null ? 0 : Of(bytes);
    }

    /// <summary>The slot of a raw key.</summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                key = key.Slice(open + 1, close);
            }
        }

        return Crc16(key) % Count;
    }

    /// <summary>
    /// A short key whose slot satisfies <paramref name="owned"/> (for example "served by this primary"): routing a
    /// command by it sends the command to that slot's primary. <see langword="null"/> when no slot qualifies.
    /// </summary>
    public static RedisKey? KeyFor(Func<int, bool> owned)
    {
        // Expected tries: 16384 / (slots that qualify); at most a few milliseconds for a single-slot shard.
        for (var n = 0; n < Count * 64; n++)
        {
            var text = "ryw:slot:" + n.ToString(CultureInfo.InvariantCulture);
            if (owned(Of(Encoding.ASCII.GetBytes(text))))
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>CRC16/XMODEM (polynomial 0x1021, initial value 0), the variant Redis Cluster uses.</summary>
    internal static int Crc16(ReadOnlySpan<byte> data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }

            crc &= 0xFFFF;
        }

        return crc;
    }
}
