using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessRyw;

/// <summary>
/// Signs tokens with HMAC-SHA256 so tokens that cross a trust boundary cannot be forged. The first key signs;
/// every key verifies, so keys rotate by adding the new key first and removing the old one later.
/// </summary>
/// <remarks>
/// A signed token's text is its plain text plus a last segment <c>.s&lt;base64url of the first 16 bytes of the MAC&gt;</c>.
/// The signature travels inside <see cref="RywToken"/>, so every carrier forwards it unchanged; a token whose content
/// changes (a merge that moves it forward) loses it and is signed again by the next session that exports it.
/// </remarks>
public sealed class RywTokenSigner
{
    /// <summary>The shortest key accepted, in bytes.</summary>
    public const int MinKeyLength = 16;

    internal const string SignaturePrefix = ".s";
    internal const int SignatureLength = 22; // base64url of 16 bytes, unpadded
    private const int MacBytes = 16;

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

    /// <summary>The token with a signature made with the newest key; the empty token stays empty.</summary>
    /// <param name="token">The token to sign.</param>
    /// <returns>The signed token; its <see cref="RywToken.ToString"/> carries the signature.</returns>
    public RywToken Sign(RywToken token) =>
        token.IsEmpty ? token : token.WithSignature(Mac(_keys[0], token.WithSignature(null).ToString()));

    /// <summary>Checks a token's signature against every key.</summary>
    /// <param name="token">A token as received (parsed text keeps its signature).</param>
    /// <returns>Valid, missing, or invalid (tampered, or signed with a key no longer configured).</returns>
    public RywSignatureStatus Verify(RywToken token)
    {
        if (token.Signature is not { } presented)
        {
            return RywSignatureStatus.Missing;
        }

        var content = token.WithSignature(null).ToString();
        var presentedBytes = Encoding.ASCII.GetBytes(presented);
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(key, content)), presentedBytes))
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
