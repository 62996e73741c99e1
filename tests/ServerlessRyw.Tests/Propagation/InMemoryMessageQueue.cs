namespace ServerlessRyw.Tests.Propagation;

/// <summary>
/// A queue of plain string bodies with Azure Storage queue semantics that matter here: no metadata, a failed message
/// is delivered again with its dequeue count raised, and after <see cref="MaxDequeueCount"/> failures it moves to the
/// poison queue with its body as it was.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue.")]
public sealed class InMemoryMessageQueue(int maxDequeueCount = 5)
{
    private readonly Queue<QueuedMessage> _messages = new();
    private readonly List<QueuedMessage> _poison = [];

    public int MaxDequeueCount { get; } = maxDequeueCount;

    public IReadOnlyList<QueuedMessage> Poison
    {
        get
        {
            lock (_poison)
            {
                return [.. _poison];
            }
        }
    }

    public void Send(string body)
    {
        lock (_messages)
        {
            _messages.Enqueue(new QueuedMessage(Guid.NewGuid().ToString("N"), body, 0));
        }
    }

    public QueuedMessage? Receive()
    {
        lock (_messages)
        {
            return _messages.TryDequeue(out var message) ? message with { DequeueCount = message.DequeueCount + 1 } : null;
        }
    }

    /// <summary>The consumer failed: deliver again, or move to the poison queue once the count is used up.</summary>
    public void Abandon(QueuedMessage message)
    {
        if (message.DequeueCount >= MaxDequeueCount)
        {
            lock (_poison)
            {
                _poison.Add(message);
            }

            return;
        }

        lock (_messages)
        {
            _messages.Enqueue(message);
        }
    }
}

public sealed record QueuedMessage(string Id, string Body, int DequeueCount);
