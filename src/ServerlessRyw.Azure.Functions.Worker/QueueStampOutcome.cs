namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>What <see cref="QueueMessageStamper.Stamp(object?, RywToken)"/> did with one output binding value.</summary>
internal readonly record struct QueueStampOutcome
{
    /// <summary>The value to send instead: envelope text, an array of them, or the original value when nothing changed.</summary>
    public object? Value { get; init; }

    /// <summary>Whether <see cref="Value"/> differs from the value given.</summary>
    public bool Changed { get; init; }

    /// <summary>How many messages now carry the token.</summary>
    public int Stamped { get; init; }

    /// <summary>Messages sent without the token because the envelope would pass the queue's 64 KiB limit.</summary>
    public int TooLarge { get; init; }

    /// <summary>Messages sent without the token because their bytes are not UTF-8 text an envelope can hold.</summary>
    public int NotText { get; init; }

    /// <summary>Messages sent without the token because its serializer failed on them.</summary>
    public int NotSerializable { get; init; }

    /// <summary>Messages that could not carry the token, for whatever reason.</summary>
    public int Skipped => TooLarge + NotText + NotSerializable;

    /// <summary>Nothing to do: the value is sent as it is.</summary>
    /// <param name="value">The unchanged value.</param>
    /// <returns>An outcome that changes nothing.</returns>
    public static QueueStampOutcome Unchanged(object? value) => new() { Value = value };
}
