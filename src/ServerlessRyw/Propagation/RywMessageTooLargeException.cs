namespace ServerlessRyw.Propagation;

/// <summary>
/// Stamping the token would make a queue message larger than the queue accepts. Raised instead of sending a message
/// the service would reject, or of truncating it.
/// </summary>
public sealed class RywMessageTooLargeException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public RywMessageTooLargeException()
        : base("The stamped queue message is larger than the queue accepts.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public RywMessageTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RywMessageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal RywMessageTooLargeException(int messageLength, int maxLength, int bodyLength, RywQueueMessageEncoding encoding)
        : base(
            $"Stamping the read-your-writes token would make this queue message {messageLength} bytes as sent " +
            $"(encoding {encoding}), over the {maxLength}-byte limit; the body alone is {bodyLength} bytes. " +
            "Nothing was sent or truncated. Send large payloads by reference (for example a blob name) instead.")
    {
        MessageLength = messageLength;
        MaxLength = maxLength;
        BodyLength = bodyLength;
    }

    /// <summary>The stamped message's size as the queue counts it (see <see cref="RywQueueEnvelope.GetEncodedLength"/>).</summary>
    public int MessageLength { get; }

    /// <summary>The limit it was checked against.</summary>
    public int MaxLength { get; }

    /// <summary>The unstamped body's size as the queue counts it.</summary>
    public int BodyLength { get; }
}
