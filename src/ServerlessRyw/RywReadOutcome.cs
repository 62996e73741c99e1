namespace ServerlessRyw;

/// <summary>Where a routed read was served, and why.</summary>
public enum RywReadOutcome
{
    /// <summary>A replica, with no check: there was no token, the window had passed, or the mode is unsafe.</summary>
    Replica = 0,

    /// <summary>A replica already known to have caught up with the token: no extra command.</summary>
    ReplicaHit,

    /// <summary>A replica whose offset probe, sent with the read in one MULTI/EXEC, covered the token.</summary>
    ProbedHit,

    /// <summary>A replica that caught up with the token while the session waited.</summary>
    WaitedHit,

    /// <summary>The primary, by policy: window mode within the window, or primary-only mode.</summary>
    Primary,

    /// <summary>The primary, because no replica caught up within the wait budget or none could answer.</summary>
    PrimaryFallback,
}
