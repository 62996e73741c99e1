using Azure.Storage.Queues.Models;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Storage.Queues;

/// <summary>A received queue message with its read-your-writes envelope taken off.</summary>
public sealed class RywQueueMessage
{
    internal RywQueueMessage(QueueMessage message, RywUnwrapResult envelope)
    {
        Message = message;
        Envelope = envelope;
    }

    /// <summary>The message as the queue returned it (its <c>Body</c> is still stamped); use it to delete or update the message.</summary>
    public QueueMessage Message { get; }

    /// <summary>What unwrapping found.</summary>
    public RywUnwrapResult Envelope { get; }

    /// <summary>The body to process: the original text, or the received text unchanged when it carried no readable envelope.</summary>
    public string Body => Envelope.Body;

    /// <summary>The token the message carried; empty when it carried none or an unreadable one.</summary>
    public RywToken Token => Envelope.Token;

    /// <summary>What was found in the body.</summary>
    public RywEnvelopeStatus Status => Envelope.Status;

    /// <summary>The message's id, for <c>DeleteMessageAsync</c> and <c>UpdateMessageAsync</c>.</summary>
    public string MessageId => Message.MessageId;

    /// <summary>The message's pop receipt, for <c>DeleteMessageAsync</c> and <c>UpdateMessageAsync</c>.</summary>
    public string PopReceipt => Message.PopReceipt;

    /// <summary>How many times the message has been received (1 on the first delivery).</summary>
    public long DequeueCount => Message.DequeueCount;

    /// <summary>
    /// Makes the consumer invocation's session reflect the message (see <see cref="RywUnwrapResult.ImportInto"/>):
    /// a valid token is merged; an unreadable envelope is counted and makes reads wait for the primary's position.
    /// </summary>
    /// <param name="session">The session of the invocation that processes this message.</param>
    /// <returns>What the session made of it.</returns>
    public RywTokenStatus ImportInto(RywSession session) => Envelope.ImportInto(session);
}
