using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessRyw;

/// <summary>
/// Signs token text with HMAC-SHA256 so tokens that cross a trust boundary cannot be forged. The first key signs;
/// every key verifies, so keys rotate by adding the new key first and removing the old one later.
/// </summary>
/// <remarks>A signed token is the plain text plus a last segment <c>.s&lt;base64url of the first 16 bytes of the MAC&gt;</c>.</remarks>
public sealed class RywTokenSigner
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinKeyLength = 16;

    internal const string SignaturePrefix = ".s";
    private const int MacBytes = 16;
    private const int MacChars = 22; // base64url of 16 bytes, unpadded

    private readonly byte[][] _keys;

    /// <summary>Creates a signer.</summary>
    /// <param name="keys">The keys, newest first; each at least <see cref="MinKeyLength"/> bytes.</param>
    /// <exception cref="ArgumentException">No keys, or a key too short.</exception>
    public RywTokenSigner(IEnumerable<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys.Select(k => k?.ToArray() ?? throw new ArgumentException("A signing key is null.", nameof(keys))).ToArray();
        if (_keys.Length == 0 || _keys.Any(k => k.Length < MinKeyLength))
        {
            throw new ArgumentException($"At least one signing key of {MinKeyLength} bytes or more is required.", nameof(keys));
        }
    }

    /// <summary>The token's text form followed by its signature; empty for the empty token.</summary>
    /// <param name="token">The token to sign.</param>
    /// <returns>The signed text.</returns>
    public string Sign(RywToken token)
    {
        var text = token.ToString();
        return text.Length == 0 ? text : text + SignaturePrefix + Mac(_keys[0], text);
    }

    /// <summary>Checks a signed token's text and returns the part that was signed.</summary>
    /// <param name="text">Token text as received.</param>
    /// <param name="payload">The text without its signature (the input itself when it carries none).</param>
    /// <returns>What was found: valid, missing, or invalid (tampered or signed with an unknown key).</returns>
    public RywSignatureStatus Verify(string text, out string payload)
    {
        ArgumentNullException.ThrowIfNull(text);
        payload = text;
        var at = text.LastIndexOf(SignaturePrefix, StringComparison.Ordinal);
        if (at < 0 || text.Length - at - SignaturePrefix.Length != MacChars || text.AsSpan(at + 2).ContainsAny(':', '.'))
        {
            return RywSignatureStatus.Missing;
        }

        payload = text[..at];
        var presented = text.AsSpan(at + SignaturePrefix.Length);
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(Mac(key, payload)), Encoding.ASCII.GetBytes(presented.ToString())))
            {
                return RywSignatureStatus.Valid;
            }
        }

        return RywSignatureStatus.Invalid;
    }

    private static string Mac(byte[] key, string text)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.ASCII.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.ASCII.GetBytes(text, bytes);
            HMACSHA256.HashData(key, bytes.AsSpan(0, length), mac);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        return Base64Url.EncodeToString(mac[..MacBytes]);
    }
}

/// <summary>What <see cref="RywTokenSigner.Verify"/> found.</summary>
public enum RywSignatureStatus
{
    /// <summary>Signed with one of the configured keys.</summary>
    Valid = 0,

    /// <summary>No signature.</summary>
    Missing,

    /// <summary>A signature that no configured key produced: tampered or forged.</summary>
    Invalid,
}
