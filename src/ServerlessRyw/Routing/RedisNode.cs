using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>One server's shared connection and the newest replication position seen from it, process-wide.</summary>
internal sealed class RedisNode
{
    private ReplicationState? _known;

    public RedisNode(IConnectionMultiplexer connection)
    {
        Connection = connection;
        Database = connection.GetDatabase();
        Name = connection.GetEndPoints().FirstOrDefault()?.ToString() ?? "redis";
    }

    public IConnectionMultiplexer Connection { get; }

    public IDatabase Database { get; }

    public string Name { get; }

    public bool IsConnected => Connection.IsConnected;

    /// <summary>The newest position seen; it never goes backwards within a history.</summary>
    public ReplicationState? Known => Volatile.Read(ref _known);

    public void Observe(ReplicationState state)
    {
        while (true)
        {
            var current = Volatile.Read(ref _known);
            if (current is not null && state.IsOlderThanOrSame(current))
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _known, state, current), current))
            {
                return;
            }
        }
    }
}
