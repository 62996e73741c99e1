namespace ServerlessRyw.Propagation;

/// <summary>What <see cref="RywPropagator.Extract{T}"/> found in a carrier.</summary>
/// <remarks>Several values are merged by taking the maximum, so the order in which hops added them does not matter.</remarks>
public readonly struct RywExtraction : IEquatable<RywExtraction>
{
    internal RywExtraction(RywToken token, RywTokenStatus status, int valueCount)
    {
        Token = token;
        Status = status;
        ValueCount = valueCount;
    }

    /// <summary>The merge of every valid value; empty when none was valid.</summary>
    public RywToken Token { get; }

    /// <summary>
    /// The worst status seen: <see cref="RywTokenStatus.Empty"/> when nothing was found, <see cref="RywTokenStatus.Valid"/>
    /// when every value was valid, otherwise the status of the first bad value.
    /// </summary>
    public RywTokenStatus Status { get; }

    /// <summary>How many non-empty values were found (comma-separated values count one each).</summary>
    public int ValueCount { get; }

    /// <summary>Compares two extractions.</summary>
    public static bool operator ==(RywExtraction left, RywExtraction right) => left.Equals(right);

    /// <summary>Compares two extractions.</summary>
    public static bool operator !=(RywExtraction left, RywExtraction right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(RywExtraction other) =>
        Token == other.Token && Status == other.Status && ValueCount == other.ValueCount;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RywExtraction other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Token, Status, ValueCount);

    /// <summary>The worse of two statuses: bad beats valid, valid beats empty, the first bad one wins.</summary>
    internal static RywTokenStatus Worse(RywTokenStatus current, RywTokenStatus next) =>
        Rank(next) > Rank(current) ? next : current;

    private static int Rank(RywTokenStatus status) => status switch
    {
        RywTokenStatus.Empty => 0,
        RywTokenStatus.Valid => 1,
        _ => 2,
    };
}
