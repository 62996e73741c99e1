using System.Text;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>Decisions for the message of a queue-triggered invocation: where its text is, and what comes off it.</summary>
internal static class QueueTriggerMapping
{
    /// <summary>The full name of <c>System.BinaryData</c>.</summary>
    public const string BinaryDataTypeName = "System.BinaryData";

    /// <summary>The full name of the Storage queues SDK's message type.</summary>
    public const string QueueMessageTypeName = "Azure.Storage.Queues.Models.QueueMessage";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Classifies the trigger parameter's type.</summary>
    /// <param name="parameterType">The declared type of the parameter that receives the message.</param>
    /// <returns>How it is bound.</returns>
    public static QueueParameterShape ClassifyParameter(Type parameterType)
    {
        ArgumentNullException.ThrowIfNull(parameterType);
        var type = Nullable.GetUnderlyingType(parameterType) ?? parameterType;
        return type.FullName switch
        {
            BinaryDataTypeName => QueueParameterShape.BinaryData,
            QueueMessageTypeName => QueueParameterShape.QueueMessage,
            _ => QueueParameterShape.Text,
        };
    }

    /// <summary>Reads the message text from a binding source as the worker receives it from the host.</summary>
    /// <param name="source">A <see cref="string"/> (text or JSON messages) or UTF-8 bytes (<c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/>).</param>
    /// <param name="text">The text.</param>
    /// <returns><see langword="false"/> for anything else, or bytes that are not UTF-8 (binary messages never carry an envelope).</returns>
    public static bool TryReadText(object? source, out string text)
    {
        switch (source)
        {
            case string s:
                text = s;
                return true;
            case byte[] bytes:
                return TryDecode(bytes, out text);
            case ReadOnlyMemory<byte> memory:
                return TryDecode(memory.Span, out text);
            case Memory<byte> memory:
                return TryDecode(memory.Span, out text);
            default:
                text = string.Empty;
                return false;
        }
    }

    /// <summary>Takes the envelope off a message's text.</summary>
    /// <param name="text">The message text as received.</param>
    /// <returns>The body to bind and the token found; see <see cref="ShouldRebind(in RywUnwrapResult)"/>.</returns>
    public static RywUnwrapResult Unwrap(string text) => RywQueueEnvelope.Unwrap(text);

    /// <summary>Whether the body to bind differs from the message text, so the binding must be replaced.</summary>
    /// <param name="result">The unwrap result.</param>
    /// <returns><see langword="true"/> when an envelope came off (with a valid token or not).</returns>
    public static bool ShouldRebind(in RywUnwrapResult result) =>
        result.Status is RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken;

    /// <summary>Whether the session must hear about the message (a token, or an envelope it cannot read).</summary>
    /// <param name="result">The unwrap result.</param>
    /// <returns><see langword="false"/> only for a plain message without an envelope.</returns>
    public static bool ShouldImport(in RywUnwrapResult result) => result.Status != RywEnvelopeStatus.NotStamped;

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
