namespace ServerlessRyw.Cli.Probe;

/// <summary>What the <c>ROLE</c> command said (the toolkit does not need it; it tells operators what their Redis allows).</summary>
/// <param name="Allowed">Whether the server answered ROLE.</param>
/// <param name="Role">master or slave.</param>
/// <param name="Offset">The master offset, or the replica's processed offset (-1 when its link is down).</param>
/// <param name="Error">Why ROLE failed.</param>
internal sealed record RoleFindings(bool Allowed, string? Role, long? Offset, string? Error);

/// <summary>One server as the toolkit sees it.</summary>
/// <param name="EndPoint">The server's address.</param>
/// <param name="IsPrimaryArgument">Whether it was given as <c>--primary</c>.</param>
/// <param name="Status">The toolkit probe's answer, or <see langword="null"/> when it failed.</param>
/// <param name="ProbeError">Why the toolkit probe failed.</param>
/// <param name="RoleCommand">What ROLE said.</param>
internal sealed record ServerFindings(
    string EndPoint, bool IsPrimaryArgument, ReplicationView? Status, string? ProbeError, RoleFindings RoleCommand)
{
    public bool OffsetsReadable => Status is not null;
}

/// <summary>A replication position as the probe read it (a copy of <see cref="RywReplicationStatus"/>, so the logic can be tested without a server).</summary>
internal sealed record ReplicationView(bool IsPrimary, string ReplicationId, long Offset, string? PreviousReplicationId)
{
    public static ReplicationView From(RywReplicationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.IsPrimary, status.ReplicationId, status.Offset, status.PreviousReplicationId);
    }
}

/// <summary>How far one replica trails the primary.</summary>
/// <param name="EndPoint">The replica.</param>
/// <param name="BytesBehind">Primary offset minus replica offset, per sample (empty when offsets are unreadable).</param>
/// <param name="VisibleAfterMs">Per probe write: time from the primary's acknowledgement until a GET on the replica returned it.</param>
/// <param name="Timeouts">Probe writes the replica never showed within the timeout.</param>
/// <param name="RoundTripMs">Median GET round trip to the replica: the resolution of <paramref name="VisibleAfterMs"/>.</param>
internal sealed record ReplicaLag(string EndPoint, IReadOnlyList<long> BytesBehind, IReadOnlyList<double> VisibleAfterMs, int Timeouts, double RoundTripMs);

/// <summary>Everything <c>ryw probe</c> found.</summary>
internal sealed record ProbeFindings(ServerFindings Primary, IReadOnlyList<ServerFindings> Replicas, IReadOnlyList<ReplicaLag> Lags, bool MeasuredVisibility);
