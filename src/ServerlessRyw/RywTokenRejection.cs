namespace ServerlessRyw;

/// <summary>Why an incoming token was not obeyed as it stood.</summary>
public enum RywTokenRejection
{
    /// <summary>Not a token (bad characters, numbers or structure).</summary>
    Malformed = 0,

    /// <summary>Longer than <see cref="RywToken.MaxLength"/>.</summary>
    TooLong,

    /// <summary>A format version this release does not read.</summary>
    UnsupportedVersion,

    /// <summary>More positions than <see cref="RywToken.MaxPositions"/>.</summary>
    TooManyPositions,

    /// <summary>An offset beyond anything the primary has written: forged, or from a lost write.</summary>
    BeyondPrimary,

    /// <summary>A replication history the primary does not share (another server, or before a failover).</summary>
    ForeignHistory,

    /// <summary>A signature was required and was missing, wrong or made with an unknown key.</summary>
    BadSignature,
}
