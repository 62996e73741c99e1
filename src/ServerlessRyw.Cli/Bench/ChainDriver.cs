using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>What a write hop left behind: the token text carried to the next invocation, and whether replication was confirmed.</summary>
internal readonly record struct WriteHop(string Token, bool ReplicationConfirmed);

/// <summary>What a read hop saw, and the token text it passes on.</summary>
internal readonly record struct ReadHop(RedisValue Value, string Token);

/// <summary>
/// One mode's way of running the hops of a chain. Every hop is a separate stateless invocation: it starts from
/// the token TEXT the previous hop exported (as another process would receive it in a header or a message) and
/// exports its own token text when it ends.
/// </summary>
internal abstract class ChainDriver
{
    protected ChainDriver(BenchMode mode, RywClient readClient)
    {
        Mode = mode;
        ReadClient = readClient;
    }

    public BenchMode Mode { get; }

    /// <summary>The client whose statistics tell where this mode's reads were served.</summary>
    public RywClient ReadClient { get; }

    public abstract Task<WriteHop> WriteAsync(int session, RedisKey key, RedisValue value, string incomingToken, CancellationToken cancellationToken);

    public async Task<ReadHop> ReadAsync(RedisKey key, string incomingToken, CancellationToken cancellationToken)
    {
        var session = ReadClient.CreateSession(incomingToken);
        var value = await session.ReadAsync(db => db.StringGetAsync(key), cancellationToken).ConfigureAwait(false);
        var outgoing = await session.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        return new ReadHop(value, outgoing.ToString());
    }
}

/// <summary>Writes and reads through a <see cref="RywSession"/> of the mode's client: the toolkit's own code path in every mode.</summary>
internal sealed class RoutedChainDriver(BenchMode mode, RywClient client) : ChainDriver(mode, client)
{
    public override async Task<WriteHop> WriteAsync(
        int session, RedisKey key, RedisValue value, string incomingToken, CancellationToken cancellationToken)
    {
        var invocation = ReadClient.CreateSession(incomingToken);
        await invocation.WriteAsync(db => db.StringSetAsync(key, value), cancellationToken).ConfigureAwait(false);
        var outgoing = await invocation.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        return new WriteHop(outgoing.ToString(), ReplicationConfirmed: true);
    }
}

/// <summary>
/// Synchronous replication by hand: a raw <c>SET</c>, then <c>WAIT 1 &lt;timeout&gt;</c> on the session's own
/// connection; reads go to the replica unchecked (through a <see cref="RywMode.ReplicaUnsafe"/> client).
/// </summary>
internal sealed class WaitAfterWriteDriver(RywClient replicaUnsafeClient, IReadOnlyList<IDatabase> perSessionPrimary, TimeSpan waitTimeout)
    : ChainDriver(BenchMode.WaitAfterWrite, replicaUnsafeClient)
{
    private readonly long _timeoutMs = (long)waitTimeout.TotalMilliseconds;

    public override async Task<WriteHop> WriteAsync(
        int session, RedisKey key, RedisValue value, string incomingToken, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var primary = perSessionPrimary[session];
        await primary.StringSetAsync(key, value).ConfigureAwait(false);

        // WAIT answers how many replicas acknowledged; 0 means the timeout passed first and reads may be stale.
        var acknowledged = (long)await primary.ExecuteAsync("WAIT", 1, _timeoutMs).ConfigureAwait(false);
        return new WriteHop(string.Empty, acknowledged >= 1);
    }
}
