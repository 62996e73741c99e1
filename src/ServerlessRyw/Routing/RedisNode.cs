using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>One server's shared connection and the newest replication position seen from it, process-wide.</summary>
internal sealed class RedisNode : IReplicaSlot
{
    private Knowledge? _known;

    public RedisNode(IConnectionMultiplexer connection)
    {
        Connection = connection;
        Database = connection.GetDatabase();
        Name = connection.GetEndPoints().FirstOrDefault()?.ToString() ?? "redis";
        Script = ProbeScript.ForReplication(connection);

        // A dropped connection may mean a restart: a restarted replica has an empty or older dataset, so
        // nothing seen before may be trusted until a new probe says otherwise.
        connection.ConnectionFailed += (_, _) => Forget();
        connection.ConnectionRestored += (_, _) => Forget();
    }

    public IConnectionMultiplexer Connection { get; }

    public IDatabase Database { get; }

    public string Name { get; }

    /// <summary>A connected node is its own slot in a <see cref="ReplicaGroup"/>.</summary>
    RedisNode? IReplicaSlot.Node => this;

    /// <summary>Which probe form this server understands through this connection.</summary>
    public ProbeScript Script { get; }

    public bool IsConnected => Connection.IsConnected;

    /// <summary>The newest position seen; it never goes backwards within a history.</summary>
    public ReplicationState? Known => Volatile.Read(ref _known)?.State;

    /// <summary>
    /// The newest position, if it was confirmed within <paramref name="lifetime"/>. Positions expire because a
    /// server can change history without dropping our connection (a failover, its primary restarting).
    /// </summary>
    public ReplicationState? KnownSince(long now, TimeSpan lifetime, TimeProvider time) =>
        Volatile.Read(ref _known) is { } known && time.GetElapsedTime(known.ConfirmedAt, now) <= lifetime ? known.State : null;

    public void Observe(ReplicationState state, long now)
    {
        while (true)
        {
            var current = Volatile.Read(ref _known);
            Knowledge next;
            if (current is null || !state.IsOlderThanOrSame(current.State))
            {
                next = new Knowledge(state, now);
            }
            else if (string.Equals(state.ReplicationId, current.State.ReplicationId, StringComparison.Ordinal) && now > current.ConfirmedAt)
            {
                // Same history, an offset we already knew: the history itself is confirmed again.
                next = current with { ConfirmedAt = now };
            }
            else
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _known, next, current), current))
            {
                return;
            }
        }
    }

    public void Forget() => Volatile.Write(ref _known, null);

    private sealed record Knowledge(ReplicationState State, long ConfirmedAt);
}
