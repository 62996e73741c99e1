using System.Text;

namespace ServerlessRyw.Propagation;

/// <summary>
/// Carries the token inside a queue message body, for queues whose messages are plain strings without metadata
/// (Azure Storage queues). A JSON object keeps being a JSON object with one extra member; any other body gets a one-line
/// text prefix. Unwrapping gives back the original body character for character.
/// </summary>
/// <remarks>
/// <para>Formats (version 1):</para>
/// <list type="bullet">
/// <item>A body that is a valid JSON object gets a last member <c>"ryw/1":"&lt;token&gt;"</c> inserted just before its
/// closing brace: <c>{"orderId":42}</c> becomes <c>{"orderId":42,"ryw/1":"1.w1763780000000.8c3f…:4242"}</c>. A
/// deserializer that does not use this library still gets every field it knows (unknown members are ignored unless it
/// is set to reject them), and polymorphic <c>$type</c> members keep their place.</item>
/// <item>Any other body (plain text, Base64 of binary data, a JSON array) gets the prefix
/// <c>ryw/1 &lt;token&gt;</c> and a line feed: <c>ryw/1 1.w1763780000000.8c3f…:4242\n&lt;body&gt;</c>.</item>
/// </list>
/// <para>The name <c>ryw/1</c> is reserved: a JSON object whose last top-level member is <c>"ryw/1"</c> with a string
/// value (in any valid JSON layout: other SDKs pretty-print), or a text that starts with <c>ryw/1 </c>, is read as an
/// envelope. A body that looks like one but cannot be used (the member not last or repeated, a non-string value, a
/// token too long or invalid, a text prefix without its line feed) is counted, and importing it makes the session read
/// at the primary's position: it is never silently ignored. Every other body round-trips exactly.</para>
/// <para>Producers in other languages: send text envelopes Base64-encoded (the Functions queue extension's default).
/// Some SDKs, the Node one among them, lose the line feed of a plain-text envelope in the XML request body; the
/// message then arrives Malformed (counted, read at the primary's position), not with its token.</para>
/// <para>Size: Azure Storage counts a message's UTF-8 bytes as sent, after the client's Base64 encoding if it uses one,
/// against a 64 KiB limit (<see cref="MaxMessageLength"/>). Stamping checks the same measure and throws
/// <see cref="RywMessageTooLargeException"/> rather than produce a message the service would refuse.</para>
/// </remarks>
public static partial class RywQueueEnvelope
{
    /// <summary>
    /// The Azure Storage queue message limit, 64 KiB, in bytes of the message as sent (UTF-8, after Base64 when the
    /// client encodes messages); <c>QueueClient.MessageMaxBytes</c> has the same value.
    /// </summary>
    public const int MaxMessageLength = 64 * 1024;

    /// <summary>The JSON member that carries the token in a JSON object body: <c>ryw/1</c>.</summary>
    public const string JsonMemberName = "ryw/1";

    /// <summary>What a stamped non-JSON body starts with, followed by the token and a line feed: <c>ryw/1 </c>.</summary>
    public const string TextPrefix = "ryw/1 ";

    /// <summary>Stamps <paramref name="token"/> on a message body for an Azure Storage queue with the default encoding.</summary>
    /// <param name="body">The message body.</param>
    /// <param name="token">The token; carriers pass <see cref="RywSession.GetTokenAsync(CancellationToken)"/>'s result.</param>
    /// <returns>The stamped body; <paramref name="body"/> itself when the token is empty.</returns>
    /// <exception cref="RywMessageTooLargeException">The stamped body exceeds <see cref="MaxMessageLength"/> UTF-8 bytes.</exception>
    public static string Stamp(string body, RywToken token) => Stamp(body, token, MaxMessageLength);

    /// <summary>
    /// Stamps <paramref name="token"/> on a message body. A body that already carries an envelope keeps one envelope,
    /// with the maximum of both tokens.
    /// </summary>
    /// <param name="body">The message body.</param>
    /// <param name="token">The token; nothing is stamped when it is empty.</param>
    /// <param name="maxLength">The queue's limit, in the unit <see cref="GetEncodedLength"/> measures.</param>
    /// <param name="encoding">How the queue client sends message text (it decides the size that counts).</param>
    /// <returns>The stamped body; <paramref name="body"/> itself when the token is empty.</returns>
    /// <exception cref="RywMessageTooLargeException">The stamped body would exceed <paramref name="maxLength"/>.</exception>
    public static string Stamp(string body, RywToken token, int maxLength, RywQueueMessageEncoding encoding = RywQueueMessageEncoding.None)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (!Enum.IsDefined(encoding))
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Not a known message encoding.");
        }

        if (token.IsEmpty)
        {
            return body;
        }

        var existing = UnwrapCore(body);
        if (existing.Status is RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken)
        {
            // Re-stamping (a consumer forwarding the message, a retry path): one envelope, the newest token.
            body = existing.Body;
            token = token.Merge(existing.Token);
        }

        // A JSON body already using the reserved name where an envelope cannot be (not last, repeated, another version)
        // gets the text form: a second member would make both unreadable, the prefix keeps the body and token exact.
        var stamped = existing.Status is RywEnvelopeStatus.Malformed or RywEnvelopeStatus.UnsupportedVersion
            ? TextForm(body, token.ToString())
            : Wrap(body, token.ToString());
        var length = GetEncodedLength(stamped, encoding);
        if (length > maxLength)
        {
            throw new RywMessageTooLargeException(length, maxLength, GetEncodedLength(body, encoding), encoding);
        }

        return stamped;
    }

    /// <summary>
    /// Takes the envelope off a message body. Never throws and never loses the body: whatever is found, the returned
    /// <see cref="RywUnwrapResult.Body"/> is what the consumer should process. Envelopes that cannot be read are counted
    /// (instrument <c>ryw.queue.envelopes</c>, tag <c>ryw.status</c>, meter <c>ServerlessRyw</c>).
    /// </summary>
    /// <param name="body">The message body as received.</param>
    /// <returns>The original body, its token and what was found.</returns>
    public static RywUnwrapResult Unwrap(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var result = UnwrapCore(body);
        PropagationTelemetry.RecordEnvelope(result.Status);
        return result;
    }

    /// <summary>Takes the envelope off a message body and imports what it carried into the consumer's session.</summary>
    /// <param name="session">The consumer invocation's session.</param>
    /// <param name="body">The message body as received.</param>
    /// <returns>The original body, its token and what was found (see <see cref="RywUnwrapResult.ImportInto"/>).</returns>
    public static RywUnwrapResult UnwrapInto(RywSession session, string body)
    {
        ArgumentNullException.ThrowIfNull(session);
        var result = Unwrap(body);
        result.ImportInto(session);
        return result;
    }

    /// <summary>The size the queue service counts for <paramref name="text"/> sent with <paramref name="encoding"/>.</summary>
    /// <param name="text">The message text.</param>
    /// <param name="encoding">How the client sends it.</param>
    /// <returns>UTF-8 bytes, or Base64 characters of those bytes.</returns>
    public static int GetEncodedLength(string text, RywQueueMessageEncoding encoding = RywQueueMessageEncoding.None)
    {
        ArgumentNullException.ThrowIfNull(text);
        long bytes = Encoding.UTF8.GetByteCount(text);
        var length = encoding == RywQueueMessageEncoding.Base64 ? (bytes + 2) / 3 * 4 : bytes;
        return (int)Math.Min(length, int.MaxValue);
    }
}
