using System.Collections;
using System.Text;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Wraps the value of a queue output binding in envelopes that carry the token, whatever shape the function gave it:
/// one message (<see cref="string"/>, bytes, a POCO) or a collection of them (<c>string[]</c>, <c>List&lt;T&gt;</c>, any
/// <see cref="IEnumerable"/>), which the Functions host sends as one message per element.
/// </summary>
/// <remarks>
/// <para>A POCO message is serialized with the delegate given (the worker's own serializer, so the receiving
/// function's binding sees exactly the JSON it would have seen) and sent as envelope text. A message that already is an
/// envelope (a function forwarding what it received) is re-stamped with the merged token, never wrapped twice.</para>
/// <para>Nothing here throws for a message: one that cannot carry the token (over 64 KiB once wrapped, bytes that are not
/// UTF-8, a POCO the serializer rejects) is sent unchanged and counted in the outcome, so no message is ever lost.</para>
/// </remarks>
internal sealed class QueueMessageStamper
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Func<object, string> _serialize;
    private readonly RywQueueMessageEncoding _encoding;

    /// <summary>Creates a stamper.</summary>
    /// <param name="serialize">Turns a POCO message into its JSON text (the worker's <c>WorkerOptions.Serializer</c>).</param>
    /// <param name="encoding">
    /// How the host's queue extension sends message text, which decides the size checked against the 64 KiB limit.
    /// <value>Default: <see cref="RywQueueMessageEncoding.Base64"/>, the Functions queue extension's default
    /// (<c>extensions.queues.messageEncoding</c> in host.json).</value>
    /// </param>
    public QueueMessageStamper(Func<object, string> serialize, RywQueueMessageEncoding encoding = RywQueueMessageEncoding.Base64)
    {
        ArgumentNullException.ThrowIfNull(serialize);
        _serialize = serialize;
        _encoding = encoding;
    }

    /// <summary>Stamps an output binding value.</summary>
    /// <param name="value">What the function set on the queue output binding.</param>
    /// <param name="token">The session's newest token.</param>
    /// <returns>The value to send and what happened; unchanged when the token is empty or the value is null.</returns>
    public QueueStampOutcome Stamp(object? value, RywToken token)
    {
        if (value is null || token.IsEmpty)
        {
            return QueueStampOutcome.Unchanged(value);
        }

        var counts = new Counts();
        if (IsCollection(value))
        {
            return StampCollection((IEnumerable)value, token, counts);
        }

        var stamped = StampOne(value, token, counts);
        return counts.ToOutcome(stamped ?? value, changed: stamped is not null);
    }

    /// <summary>Whether the host treats <paramref name="value"/> as several messages.</summary>
    /// <param name="value">An output binding value.</param>
    /// <returns><see langword="true"/> for enumerables other than text, bytes and dictionaries (a dictionary is one JSON object).</returns>
    public static bool IsCollection(object? value) =>
        value is IEnumerable and not string and not byte[] and not IDictionary
        && !IsGenericDictionary(value.GetType());

    private QueueStampOutcome StampCollection(IEnumerable items, RywToken token, Counts counts)
    {
        var results = new List<object?>();
        var allText = true;
        foreach (var item in items)
        {
            if (item is null)
            {
                results.Add(null);
                allText = false;
                continue;
            }

            var stamped = StampOne(item, token, counts);
            results.Add(stamped ?? item);
            allText &= stamped is not null || item is string;
        }

        if (counts.Stamped == 0)
        {
            return counts.ToOutcome(items, changed: false);
        }

        // All text: a string[] is what the worker serializes as a plain JSON array of messages. Mixed (an element that
        // could not be stamped keeps its own type): object[] still serializes element by element.
        object value = allText ? results.Cast<string>().ToArray() : results.ToArray();
        return counts.ToOutcome(value, changed: true);
    }

    /// <returns>The envelope text, or <see langword="null"/> when this message is sent unchanged.</returns>
    private string? StampOne(object message, RywToken token, Counts counts)
    {
        string? text;
        switch (message)
        {
            case string s:
                text = s;
                break;
            case byte[] bytes:
                text = DecodeUtf8(bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                text = DecodeUtf8(memory.Span);
                break;
            case Memory<byte> memory:
                text = DecodeUtf8(memory.Span);
                break;
            default:
                text = TrySerialize(message);
                if (text is null)
                {
                    counts.NotSerializable++;
                    return null;
                }

                break;
        }

        if (text is null)
        {
            counts.NotText++;
            return null;
        }

        try
        {
            // A body that already is an envelope (a function forwarding what it received) keeps one, with the merged token.
            var envelope = RywQueueEnvelope.Stamp(text, token, RywQueueEnvelope.MaxMessageLength, _encoding);
            counts.Stamped++;
            return envelope;
        }
        catch (RywMessageTooLargeException)
        {
            counts.TooLarge++;
            return null;
        }
    }

    private string? TrySerialize(object message)
    {
        try
        {
            return _serialize(message);
        }
#pragma warning disable CA1031 // A serializer may throw anything; the message must still be sent.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static string? DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsGenericDictionary(Type type) =>
        type.GetInterfaces().Any(static i => i.IsGenericType
            && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));

    private sealed class Counts
    {
        public int Stamped { get; set; }

        public int TooLarge { get; set; }

        public int NotText { get; set; }

        public int NotSerializable { get; set; }

        public QueueStampOutcome ToOutcome(object? value, bool changed) => new()
        {
            Value = value,
            Changed = changed,
            Stamped = Stamped,
            TooLarge = TooLarge,
            NotText = NotText,
            NotSerializable = NotSerializable,
        };
    }
}
