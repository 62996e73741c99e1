namespace ServerlessRyw.Propagation;

/// <summary>
/// How the queue client sends message text, which decides the size the service counts against its limit.
/// Mirrors <c>Azure.Storage.Queues.QueueMessageEncoding</c>.
/// </summary>
public enum RywQueueMessageEncoding
{
    /// <summary>The text is sent as it is; the limit counts its UTF-8 bytes.</summary>
    None = 0,

    /// <summary>The text's UTF-8 bytes are sent Base64-encoded; the limit counts the encoded characters (4 per 3 bytes).</summary>
    Base64,
}
