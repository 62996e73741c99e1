using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Where a session's reads and writes go, and how its token is captured: one implementation per topology (a single
/// primary with its replicas, or a Redis Cluster), chosen when the client is built. Sessions keep the token; a
/// router keeps nothing per session, so one serves every session of its client concurrently.
/// </summary>
internal abstract class SessionRouter(RywClient client)
{
    protected RywClient Client { get; } = client;

    protected RoutingPolicy Policy => Client.Policy;

    /// <summary>
    /// Whether an incoming token marked incomplete needs this process's own capture of the primary's current
    /// position; a cluster router resolves such tokens when it checks them against every shard instead.
    /// </summary>
    public abstract bool CapturesIncompleteTokens { get; }

    /// <summary>A read that names no key (with a cluster: no shard, so the primaries).</summary>
    public abstract ValueTask<T> ReadAsync<T>(RywSession session, Func<IDatabaseAsync, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken);

    /// <summary>A read of one key (with a single primary: the same as the keyless read).</summary>
    public abstract ValueTask<T> ReadAsync<T>(
        RywSession session, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken);

    /// <summary>
    /// A write that names no key, through the connection's own routing, then its capture (with a cluster: every
    /// shard primary's, since any of them may have taken part of it).
    /// </summary>
    public async Task<T> WriteAsync<T>(RywSession session, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await write(Client.PrimaryNode.Database).ConfigureAwait(false);
        }
        finally
        {
            // Even a failed write may have applied some commands; the capture goes after it was answered.
            session.MarkWritten();
            if (Policy.Mode == RywMode.Token)
            {
                // Not the caller's token: a capture that was cancelled would leave the write pending, which is safe
                // but makes the next read pay for it. Bounded by the deadline either way.
                await CaptureAsync(session, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A write of one key, then its capture (with a single primary: the same as the keyless write).</summary>
    public abstract Task<T> WriteAsync<T>(RywSession session, RedisKey key, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken);

    /// <summary>
    /// Captures the session's pending writes and resolves unreadable tokens with primary probes sent after this call
    /// began (so after every write the session saw answered); <see langword="false"/> when a primary could not say.
    /// </summary>
    public abstract ValueTask<bool> CaptureAsync(RywSession session, CancellationToken cancellationToken);

    /// <summary>Whether window mode still sends this session's reads to the primary.</summary>
    protected bool IsWithinWindow(RywSession session) =>
        session.Token.LastWriteAt is { } lastWrite && Policy.Time.GetUtcNow() - lastWrite < Policy.Window;

    /// <summary>Counts and reports a routed read: an observer's bug must not fail the read it observes.</summary>
    protected void Report(RywReadOutcome outcome, TimeSpan waited, int probes, string? server)
    {
        Client.Telemetry.RecordRead(outcome, waited);
        if (Policy.OnReadRouted is { } callback)
        {
            try
            {
                callback(new RywReadRoutedArguments(outcome, waited, probes, server));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Log.CallbackFailed(Client.Logger, exception);
            }
        }
    }
}
