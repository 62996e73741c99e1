using Azure;
using Azure.Storage.Queues.Models;
using ServerlessRyw;
using ServerlessRyw.Azure.Storage.Queues;
using ServerlessRyw.Propagation;

namespace Azure.Storage.Queues;

/// <summary>
/// Sends and receives Azure Storage queue messages that carry the read-your-writes token in their body
/// (see <see cref="RywQueueEnvelope"/> for the format). Mapping only: the envelope logic lives in the core package.
/// </summary>
public static class RywQueueClientExtensions
{
    /// <summary>
    /// Stamps the session's newest token (including writes whose position is still being captured) on
    /// <paramref name="messageText"/> and sends it.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="messageText">The message body; a JSON object stays a JSON object.</param>
    /// <param name="session">The sending invocation's session.</param>
    /// <param name="visibilityTimeout">As in <see cref="QueueClient.SendMessageAsync(string, TimeSpan?, TimeSpan?, CancellationToken)"/>.</param>
    /// <param name="timeToLive">As in <see cref="QueueClient.SendMessageAsync(string, TimeSpan?, TimeSpan?, CancellationToken)"/>.</param>
    /// <param name="messageEncoding">
    /// The <see cref="QueueClientOptions.MessageEncoding"/> the client was created with: with
    /// <see cref="QueueMessageEncoding.Base64"/> the encoded size counts against the limit.
    /// </param>
    /// <param name="cancellationToken">Cancels the capture and the send.</param>
    /// <returns>The service's receipt.</returns>
    /// <exception cref="RywMessageTooLargeException">
    /// The stamped message would exceed <see cref="QueueClient.MessageMaxBytes"/>; nothing was sent.
    /// </exception>
    public static async Task<Response<SendReceipt>> SendMessageWithTokenAsync(
        this QueueClient queue,
        string messageText,
        RywSession session,
        TimeSpan? visibilityTimeout = default,
        TimeSpan? timeToLive = default,
        QueueMessageEncoding messageEncoding = QueueMessageEncoding.None,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(messageText);
        ArgumentNullException.ThrowIfNull(session);
        var token = await session.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var stamped = RywQueueEnvelope.Stamp(messageText, token, queue.MessageMaxBytes, ToRyw(messageEncoding));
        return await queue.SendMessageAsync(stamped, visibilityTimeout, timeToLive, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Receives up to <paramref name="maxMessages"/> messages and takes their envelopes off.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="maxMessages">As in <see cref="QueueClient.ReceiveMessagesAsync(int?, TimeSpan?, CancellationToken)"/> (1 to 32; default 1).</param>
    /// <param name="visibilityTimeout">As in <see cref="QueueClient.ReceiveMessagesAsync(int?, TimeSpan?, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The messages, each with its original body and token; create one session per message to process it.</returns>
    public static async Task<Response<RywQueueMessage[]>> ReceiveMessagesWithTokenAsync(
        this QueueClient queue,
        int? maxMessages = default,
        TimeSpan? visibilityTimeout = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var response = await queue.ReceiveMessagesAsync(maxMessages, visibilityTimeout, cancellationToken).ConfigureAwait(false);
        var messages = response.Value ?? [];
        var unwrapped = new RywQueueMessage[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            unwrapped[i] = new RywQueueMessage(messages[i], messages[i].UnwrapToken());
        }

        return Response.FromValue(unwrapped, response.GetRawResponse());
    }

    /// <summary>Receives one message, if any, and takes its envelope off.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="visibilityTimeout">As in <see cref="QueueClient.ReceiveMessageAsync(TimeSpan?, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The message, or a <see langword="null"/> value when the queue was empty.</returns>
    public static async Task<Response<RywQueueMessage?>> ReceiveMessageWithTokenAsync(
        this QueueClient queue,
        TimeSpan? visibilityTimeout = default,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var response = await queue.ReceiveMessageAsync(visibilityTimeout, cancellationToken).ConfigureAwait(false);
        var message = response.Value is { } received ? new RywQueueMessage(received, received.UnwrapToken()) : null;
        return Response.FromValue(message, response.GetRawResponse());
    }

    /// <summary>Takes the envelope off a message received some other way (a trigger binding, <c>ReceiveMessagesAsync</c>).</summary>
    /// <param name="message">The received message.</param>
    /// <returns>The original body, its token and what was found; never throws for any body.</returns>
    public static RywUnwrapResult UnwrapToken(this QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return RywQueueEnvelope.Unwrap(message.Body?.ToString() ?? string.Empty);
    }

    /// <summary>Takes the envelope off a peeked message (for tools that inspect a queue or its poison queue).</summary>
    /// <param name="message">The peeked message.</param>
    /// <returns>The original body, its token and what was found; never throws for any body.</returns>
    public static RywUnwrapResult UnwrapToken(this PeekedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return RywQueueEnvelope.Unwrap(message.Body?.ToString() ?? string.Empty);
    }

    internal static RywQueueMessageEncoding ToRyw(QueueMessageEncoding encoding) =>
        encoding == QueueMessageEncoding.Base64 ? RywQueueMessageEncoding.Base64 : RywQueueMessageEncoding.None;
}
