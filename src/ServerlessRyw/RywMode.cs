namespace ServerlessRyw;

/// <summary>How a session decides where a read goes.</summary>
public enum RywMode
{
    /// <summary>
    /// The default: a replica serves a read once it has processed the token's replication offset; otherwise the
    /// session waits briefly and then reads the primary. Needs a Redis that exposes <c>INFO replication</c>.
    /// </summary>
    Token = 0,

    /// <summary>
    /// The Rails/PlanetScale approach: for <see cref="RywOptions.Window"/> after the token's last write, read the
    /// primary; afterwards read a replica. For Redis services that hide replication offsets.
    /// </summary>
    Window,

    /// <summary>Every read on the primary: correct, no offload. A baseline.</summary>
    PrimaryOnly,

    /// <summary>Every read on a replica with no check: fast and possibly stale. A baseline; never use it for real.</summary>
    ReplicaUnsafe,
}
