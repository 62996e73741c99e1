using ServerlessRyw.Routing;

namespace ServerlessRyw;

/// <summary>One server's replication position, as read by <see cref="RywDiagnostics.ProbeReplicationAsync"/>.</summary>
public sealed class RywReplicationStatus
{
    private readonly ReplicationState _state;

    internal RywReplicationStatus(ReplicationState state) => _state = state;

    /// <summary>Whether the server is a primary (<c>role:master</c>).</summary>
    public bool IsPrimary => _state.IsPrimary;

    /// <summary>The replication history the server follows (<c>master_replid</c>).</summary>
    public string ReplicationId => _state.ReplicationId;

    /// <summary>
    /// For a primary, its write offset (<c>master_repl_offset</c>); for a replica, the offset it has processed,
    /// which is what a read sent to it next will see.
    /// </summary>
    public long Offset => _state.Offset;

    /// <summary>The history the server continued from after a failover (<c>master_replid2</c>), if any.</summary>
    public string? PreviousReplicationId => _state.PreviousReplicationId;

    /// <summary>The last offset of <see cref="PreviousReplicationId"/> the server still holds (<c>second_repl_offset</c>), or 0.</summary>
    public long PreviousHistoryEnd => _state.PreviousHistoryEnd;

    /// <summary>Whether a replica in this state would serve a token-mode read for <paramref name="token"/> without waiting.</summary>
    /// <param name="token">A token, for example one captured after a write.</param>
    /// <returns><see langword="true"/> when every position in the token is covered.</returns>
    public bool Covers(RywToken token) => _state.Covers(token);

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsPrimary ? "primary" : "replica")} {ReplicationId}:{Offset}";
}
