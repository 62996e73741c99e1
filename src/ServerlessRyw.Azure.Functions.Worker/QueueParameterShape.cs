namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>How a queue-triggered function's message parameter is bound, which decides where its envelope comes off.</summary>
internal enum QueueParameterShape
{
    /// <summary>
    /// Bound from the message text by the worker's converters (<see cref="string"/>, a POCO, <c>byte[]</c>, ...): the
    /// envelope comes off in an input converter that runs before them, so they convert the original body.
    /// </summary>
    Text = 0,

    /// <summary><c>System.BinaryData</c>: bound by the queue extension's own converter, so it is unwrapped after binding.</summary>
    BinaryData,

    /// <summary><c>Azure.Storage.Queues.Models.QueueMessage</c>: bound by the queue extension, then rebuilt with the original body.</summary>
    QueueMessage,
}
