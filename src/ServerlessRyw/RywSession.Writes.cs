using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>
    /// Writes through the primary, then captures the token: when it returns, <see cref="Token"/> covers the write.
    /// The capture is one primary probe sent after the write was answered, shared by every session of the process
    /// capturing at the same time, and bounded by <see cref="RywOptions.ReplicaTimeout"/>; if the primary does not
    /// answer in time the write stays pending (<see cref="HasPendingWrite"/>) and the next read or export captures it.
    /// </summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="write">Issues the write commands, for example <c>db =&gt; db.StringSetAsync(key, value)</c>.</param>
    /// <param name="cancellationToken">Cancels before the write is sent.</param>
    /// <returns>What the delegate returned. Redis errors surface exactly as StackExchange.Redis raises them.</returns>
    /// <remarks>
    /// The capture is sent only after the write was answered, never pipelined with it: StackExchange.Redis may send
    /// the commands of one batch out of order while a connection is new or reconnecting, and a probe that overtook
    /// the write would name an offset before it. A write that failed is still announced (some of its commands may
    /// have been applied).
    /// </remarks>
    public Task<T> WriteAsync<T>(Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<T>(cancellationToken)
            : _client.Router.WriteAsync(this, write, cancellationToken);
    }

    /// <summary>Writes through the primary; the session's token then covers the write.</summary>
    /// <param name="write">Issues the write commands; see <see cref="WriteAsync{T}(Func{IDatabaseAsync, Task{T}}, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels before the write is sent.</param>
    /// <returns>A task that completes when the write and its capture are done.</returns>
    public Task WriteAsync(Func<IDatabaseAsync, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteAsync(async db =>
        {
            await write(db).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="key"/> through its primary, then captures the token with one more round trip, sent after
    /// the write was answered. With Redis Cluster the offset probe is routed by <paramref name="key"/>, so it reaches
    /// (and is redirected exactly like) the write, and the token gets the position of the shard that took it. With a single primary it is the same as
    /// <see cref="WriteAsync{T}(Func{IDatabaseAsync, Task{T}}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="key">The key written; every command the delegate issues must be in its slot.</param>
    /// <param name="write">Issues the write commands; it may await between them.</param>
    /// <param name="cancellationToken">Cancels before the write is sent.</param>
    /// <returns>What the delegate returned.</returns>
    public Task<T> WriteAsync<T>(RedisKey key, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<T>(cancellationToken)
            : _client.Router.WriteAsync(this, key, write, cancellationToken);
    }

    /// <summary>Writes <paramref name="key"/> through its primary, then captures the token (see the overload returning a value).</summary>
    /// <param name="key">The key written.</param>
    /// <param name="write">Issues the write commands; see <see cref="WriteAsync{T}(RedisKey, Func{IDatabaseAsync, Task{T}}, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels before the write is sent.</param>
    /// <returns>A task that completes when the write and the capture are done.</returns>
    public Task WriteAsync(RedisKey key, Func<IDatabaseAsync, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteAsync(key, async db =>
        {
            await write(db).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }
}
