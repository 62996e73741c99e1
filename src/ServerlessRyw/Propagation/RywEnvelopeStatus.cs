namespace ServerlessRyw.Propagation;

/// <summary>What <see cref="RywQueueEnvelope.Unwrap(string)"/> found in a message body.</summary>
public enum RywEnvelopeStatus
{
    /// <summary>No envelope: the body is delivered as it is and carries no token.</summary>
    NotStamped = 0,

    /// <summary>An envelope with a valid token: the original body and its token were recovered.</summary>
    Unwrapped,

    /// <summary>
    /// Something that starts like a text envelope but is not one (no end of line, bad characters): the body is
    /// delivered unchanged, and the message is counted.
    /// </summary>
    Malformed,

    /// <summary>An envelope of a format version this release does not read: the body is delivered unchanged, and counted.</summary>
    UnsupportedVersion,

    /// <summary>A well-formed envelope whose token is not valid: the original body is recovered without a token, and counted.</summary>
    InvalidToken,
}
