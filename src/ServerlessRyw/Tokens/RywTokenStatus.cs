namespace ServerlessRyw;

/// <summary>What <see cref="RywToken.TryParse(ReadOnlySpan{char}, out RywToken, out RywTokenStatus)"/> found.</summary>
public enum RywTokenStatus
{
    /// <summary>A well-formed token.</summary>
    Valid = 0,

    /// <summary>No token: <see langword="null"/>, empty or white space. Not an error.</summary>
    Empty,

    /// <summary>Longer than <see cref="RywToken.MaxLength"/> characters.</summary>
    TooLong,

    /// <summary>A format version this library does not understand (for example one from a newer release).</summary>
    UnsupportedVersion,

    /// <summary>Not a token: bad characters, bad numbers, missing parts.</summary>
    Malformed,

    /// <summary>More than <see cref="RywToken.MaxPositions"/> replication positions.</summary>
    TooManyPositions,

    /// <summary>
    /// The signature was wrong, or missing where <see cref="RywOptions.RequireSignedTokens"/> demands one.
    /// Only a session with signing keys reports it.
    /// </summary>
    BadSignature,
}
