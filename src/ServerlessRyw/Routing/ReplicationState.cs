namespace ServerlessRyw.Routing;

/// <summary>What one server said about its replication position in one probe.</summary>
/// <param name="ReplicationId">The history it follows (<c>master_replid</c>).</param>
/// <param name="Offset">For a primary its write offset, for a replica its processed offset.</param>
/// <param name="PreviousReplicationId">The history it continued from after a failover (<c>master_replid2</c>), if any.</param>
/// <param name="PreviousHistoryEnd">The last offset of the previous history it still holds (<c>second_repl_offset</c>).</param>
/// <param name="IsPrimary">Whether the server is a primary.</param>
internal sealed record ReplicationState(
    string ReplicationId, long Offset, string? PreviousReplicationId, long PreviousHistoryEnd, bool IsPrimary)
{
    /// <summary>Where this server is, as a token position.</summary>
    public ReplicationPosition Position => new(ReplicationId, Offset);

    /// <summary>Whether a server in this state has applied everything up to <paramref name="position"/>.</summary>
    public bool Covers(ReplicationPosition position)
    {
        if (string.Equals(position.ReplicationId, ReplicationId, StringComparison.Ordinal))
        {
            return Offset >= position.Offset;
        }

        // After a failover the new history continues the old offsets up to second_repl_offset.
        return PreviousReplicationId is not null
            && string.Equals(position.ReplicationId, PreviousReplicationId, StringComparison.Ordinal)
            && position.Offset <= PreviousHistoryEnd
            && Offset >= position.Offset;
    }

    /// <summary>Whether a server in this state has applied everything the token requires.</summary>
    public bool Covers(in RywToken token)
    {
        foreach (var position in token.Positions)
        {
            if (!Covers(position))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="position"/> belongs to a history this server knows (current or previous).</summary>
    public bool Knows(ReplicationPosition position) =>
        string.Equals(position.ReplicationId, ReplicationId, StringComparison.Ordinal)
        || (PreviousReplicationId is not null
            && string.Equals(position.ReplicationId, PreviousReplicationId, StringComparison.Ordinal)
            && position.Offset <= PreviousHistoryEnd);

    /// <summary>Whether this state is older knowledge than <paramref name="other"/> about the same server.</summary>
    public bool IsOlderThanOrSame(ReplicationState other)
    {
        if (string.Equals(ReplicationId, other.ReplicationId, StringComparison.Ordinal))
        {
            return Offset <= other.Offset;
        }

        // The other state's history continued from ours: ours is the past.
        return other.PreviousReplicationId is not null
            && string.Equals(ReplicationId, other.PreviousReplicationId, StringComparison.Ordinal);
    }
}
