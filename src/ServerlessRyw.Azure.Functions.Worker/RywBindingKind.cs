namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>What a Functions binding means for token travel.</summary>
internal enum RywBindingKind
{
    /// <summary>A binding the token does not travel on (blobs, tables, timers, ...): left untouched.</summary>
    Other = 0,

    /// <summary>An HTTP trigger: the token arrives in a request header.</summary>
    HttpTrigger,

    /// <summary>A Storage queue trigger: the token arrives in the message's envelope.</summary>
    QueueTrigger,

    /// <summary>An HTTP output (the response): the token leaves in a response header.</summary>
    HttpOutput,

    /// <summary>A Storage queue output: every message leaves wrapped in an envelope that carries the token.</summary>
    QueueOutput,
}
