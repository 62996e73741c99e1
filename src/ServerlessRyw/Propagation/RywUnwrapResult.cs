namespace ServerlessRyw.Propagation;

/// <summary>A message body with its envelope taken off: what <see cref="RywQueueEnvelope.Unwrap(string)"/> returns.</summary>
public readonly struct RywUnwrapResult : IEquatable<RywUnwrapResult>
{
    internal RywUnwrapResult(string body, RywEnvelopeStatus status, RywToken token = default, string? tokenText = null)
    {
        Body = body;
        Status = status;
        Token = token;
        TokenText = tokenText;
    }

    /// <summary>
    /// The body to hand to the consumer: the original body for <see cref="RywEnvelopeStatus.Unwrapped"/> and
    /// <see cref="RywEnvelopeStatus.InvalidToken"/>, otherwise the input exactly as it was.
    /// </summary>
    public string Body { get; }

    /// <summary>The token the message carried; empty unless <see cref="Status"/> is <see cref="RywEnvelopeStatus.Unwrapped"/>.</summary>
    public RywToken Token { get; }

    /// <summary>What was found.</summary>
    public RywEnvelopeStatus Status { get; }

    /// <summary>The token's text as found in the envelope, valid or not; <see langword="null"/> without a readable envelope.</summary>
    public string? TokenText { get; }

    /// <summary>Compares two results.</summary>
    public static bool operator ==(RywUnwrapResult left, RywUnwrapResult right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    public static bool operator !=(RywUnwrapResult left, RywUnwrapResult right) => !left.Equals(right);

    /// <summary>
    /// Makes <paramref name="session"/> reflect the message: a valid token is merged; an envelope that cannot be read
    /// (invalid token, malformed, unsupported version) is counted and logged by the session's client and makes its
    /// reads wait for the primary's current position, because the producer did write something. Never throws.
    /// </summary>
    /// <param name="session">The consumer invocation's session.</param>
    /// <returns>What the session made of it; <see cref="RywTokenStatus.Empty"/> for a message without an envelope.</returns>
    public RywTokenStatus ImportInto(RywSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        switch (Status)
        {
            case RywEnvelopeStatus.Unwrapped:
                return session.Import(Token);
            case RywEnvelopeStatus.InvalidToken:
                return session.Import(TokenText);
            case RywEnvelopeStatus.UnsupportedVersion:
                session.ImportUnreadable(RywTokenStatus.UnsupportedVersion);
                return RywTokenStatus.UnsupportedVersion;
            case RywEnvelopeStatus.Malformed:
                session.ImportUnreadable(RywTokenStatus.Malformed);
                return RywTokenStatus.Malformed;
            default:
                return RywTokenStatus.Empty;
        }
    }

    /// <inheritdoc />
    public bool Equals(RywUnwrapResult other) =>
        string.Equals(Body, other.Body, StringComparison.Ordinal)
        && Token == other.Token
        && Status == other.Status
        && string.Equals(TokenText, other.TokenText, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RywUnwrapResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Body, Token, Status, TokenText);
}
