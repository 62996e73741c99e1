namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>What stamping an invocation's outputs did, for logs and counters.</summary>
internal readonly record struct OutputStampSummary
{
    /// <summary>Queue messages that now carry the token.</summary>
    public int MessagesStamped { get; init; }

    /// <summary>Queue messages sent without the token (too large, not text, not serializable).</summary>
    public int MessagesSkipped { get; init; }

    /// <summary>HTTP responses handed to the header stamper.</summary>
    public int HttpResponses { get; init; }

    /// <summary>Multi-output properties whose stamped value could be neither written back nor moved to the binding.</summary>
    public int Unwritable { get; init; }

    /// <summary>Adds two summaries.</summary>
    /// <param name="left">The first summary.</param>
    /// <param name="right">The second summary.</param>
    /// <returns>The sum.</returns>
    public static OutputStampSummary operator +(OutputStampSummary left, OutputStampSummary right) => new()
    {
        MessagesStamped = left.MessagesStamped + right.MessagesStamped,
        MessagesSkipped = left.MessagesSkipped + right.MessagesSkipped,
        HttpResponses = left.HttpResponses + right.HttpResponses,
        Unwritable = left.Unwritable + right.Unwritable,
    };

    /// <summary>Adds two summaries.</summary>
    /// <param name="other">The summary to add.</param>
    /// <returns>The sum.</returns>
    public OutputStampSummary Add(OutputStampSummary other) => this + other;

    internal static OutputStampSummary From(QueueStampOutcome outcome) =>
        new() { MessagesStamped = outcome.Stamped, MessagesSkipped = outcome.Skipped };
}
