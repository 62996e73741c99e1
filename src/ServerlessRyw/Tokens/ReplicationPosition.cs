namespace ServerlessRyw;

/// <summary>
/// A point in one Redis replication history: the history's id (<c>master_replid</c>) and a byte offset in it.
/// </summary>
/// <param name="ReplicationId">The replication history, as reported by <c>INFO replication</c> (<c>master_replid</c>).</param>
/// <param name="Offset">The replication offset (<c>master_repl_offset</c>) within that history.</param>
public readonly record struct ReplicationPosition(string ReplicationId, long Offset);
