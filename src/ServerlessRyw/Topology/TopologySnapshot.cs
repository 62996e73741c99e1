namespace ServerlessRyw.Topology;

/// <summary>Where a <see cref="TopologySnapshot"/> came from.</summary>
internal enum TopologySource
{
    /// <summary>Redis Sentinel (<c>SENTINEL MASTER</c> / <c>SENTINEL REPLICAS</c>).</summary>
    Sentinel = 0,

    /// <summary>The primary's own <c>INFO replication</c>.</summary>
    Primary = 1,
}

/// <summary>How current a <see cref="TopologySnapshot"/> is.</summary>
internal enum TopologyStatus
{
    /// <summary>Nothing has been read yet, or every read so far failed: no primary or replica is known.</summary>
    Unknown = 0,

    /// <summary>The last refresh succeeded.</summary>
    Current = 1,

    /// <summary>The last refresh failed; the endpoints are the last ones read successfully.</summary>
    Stale = 2,
}

/// <summary>
/// A replica a discovery proposes. Only a candidate: a node must still answer as a replica of the token's
/// replication history before anything is read from it (the engine's probe checks that).
/// </summary>
/// <param name="EndPoint">Where to connect, as <c>host:port</c>, after the host mapping of the allow-list.</param>
/// <param name="Flags">What the source said about it: Sentinel's flags (<c>slave</c>), or <c>state=online</c> from INFO.</param>
/// <param name="ReplicationOffset">The offset the source last saw it at; -1 when not reported.</param>
internal sealed record ReplicaCandidate(string EndPoint, string Flags, long ReplicationOffset);

/// <summary>An immutable view of one service's primary and replicas as read from Sentinel or the primary.</summary>
internal sealed class TopologySnapshot
{
    internal TopologySnapshot(
        TopologySource source,
        TopologyStatus status,
        string? primaryEndPoint,
        IReadOnlyList<ReplicaCandidate> replicas,
        long configEpoch,
        string? answeredBy,
        DateTimeOffset readAt)
    {
        Source = source;
        Status = status;
        PrimaryEndPoint = primaryEndPoint;

        // Sorted so two reads of the same membership compare and log identically whatever order the server used.
        Replicas = [.. replicas.OrderBy(r => r.EndPoint, StringComparer.OrdinalIgnoreCase)];
        ConfigEpoch = configEpoch;
        AnsweredBy = answeredBy;
        ReadAt = readAt;
    }

    /// <summary>The source this snapshot was read from.</summary>
    public TopologySource Source { get; }

    /// <summary>Whether the endpoints are current, the last known ones, or unknown.</summary>
    public TopologyStatus Status { get; }

    /// <summary>The primary, as <c>host:port</c>; <see langword="null"/> when unknown.</summary>
    public string? PrimaryEndPoint { get; }

    /// <summary>The usable replica candidates (down, disconnected and not-allowed ones left out), sorted by endpoint.</summary>
    public IReadOnlyList<ReplicaCandidate> Replicas { get; }

    /// <summary>Sentinel's configuration epoch for the service (it grows with every failover); -1 for other sources.</summary>
    public long ConfigEpoch { get; }

    /// <summary>The sentinel or primary whose answer was used, as <c>host:port</c>; <see langword="null"/> when none answered.</summary>
    public string? AnsweredBy { get; }

    /// <summary>When the endpoints were read (for a stale snapshot: when they were last read successfully).</summary>
    public DateTimeOffset ReadAt { get; }

    /// <summary>How many refreshes in a row have failed since the last success.</summary>
    public int ConsecutiveFailures { get; private init; }

    /// <summary>Why the last refresh failed; <see langword="null"/> when it succeeded.</summary>
    public string? LastError { get; private init; }

    /// <summary>Whether <paramref name="other"/> names the same primary and the same replica endpoints (flags, offsets and status aside).</summary>
    /// <param name="other">The snapshot to compare with.</param>
    /// <returns><see langword="true"/> when the membership is the same.</returns>
    public bool HasSameMembership(TopologySnapshot? other) =>
        other is not null
        && string.Equals(PrimaryEndPoint, other.PrimaryEndPoint, StringComparison.OrdinalIgnoreCase)
        && Replicas.Select(r => r.EndPoint).SequenceEqual(other.Replicas.Select(r => r.EndPoint), StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Source} {Status}: primary {PrimaryEndPoint ?? "(unknown)"}, replicas [{string.Join(", ", Replicas.Select(r => r.EndPoint))}]"
        + (ConfigEpoch >= 0 ? $", epoch {ConfigEpoch}" : string.Empty);

    internal static TopologySnapshot Empty(TopologySource source, DateTimeOffset now) =>
        new(source, TopologyStatus.Unknown, null, [], -1, null, now);

    /// <summary>This snapshot's endpoints, marked as no longer confirmed.</summary>
    internal TopologySnapshot AsFailed(string error, int consecutiveFailures) =>
        new(Source, PrimaryEndPoint is null && Replicas.Count == 0 ? TopologyStatus.Unknown : TopologyStatus.Stale,
            PrimaryEndPoint, Replicas, ConfigEpoch, AnsweredBy, ReadAt)
        {
            ConsecutiveFailures = consecutiveFailures,
            LastError = error,
        };
}
