using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>
    /// Reads with read-your-writes: on a replica that has caught up with the session's token, else on the primary
    /// after waiting at most <see cref="RywOptions.WaitBudget"/>.
    /// </summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="read">The usual StackExchange.Redis call, for example <c>db =&gt; db.StringGetAsync(key)</c>.
    /// It may run more than once (on a replica that turned out to lag, then elsewhere); keep it free of side effects.</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned, from a server that has every write the token names.</returns>
    /// <remarks>
    /// The returned <see cref="ValueTask{TResult}"/> reuses pooled state so that a read served by a caught-up replica
    /// allocates nothing beyond what StackExchange.Redis does: await it once, as with any value task (call
    /// <see cref="ValueTask{TResult}.AsTask"/> to combine it with other tasks or await it again).
    /// </remarks>
    public ValueTask<T> ReadAsync<T>(Func<IDatabaseAsync, Task<T>> read, CancellationToken cancellationToken = default) =>
        ReadAsync(read, _client.Policy.WaitBudget, cancellationToken);

    /// <summary>Reads with read-your-writes, waiting at most <paramref name="waitBudget"/> for a replica.</summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="read">The usual StackExchange.Redis call; it may run more than once.</param>
    /// <param name="waitBudget">This read's wait budget (0 to <see cref="RywOptions.MaxWaitBudget"/>).</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned.</returns>
    public ValueTask<T> ReadAsync<T>(Func<IDatabaseAsync, Task<T>> read, TimeSpan waitBudget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThan(waitBudget, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(waitBudget, RywOptions.MaxWaitBudget);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        return _client.Router.ReadAsync(this, read, waitBudget, cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="key"/> with read-your-writes. With Redis Cluster (<see cref="RywClient.ForCluster"/>)
    /// the read goes to a replica of the shard serving the key once that replica has caught up with the token's
    /// position for that shard; otherwise it waits at most <see cref="RywOptions.WaitBudget"/>, then reads the
    /// shard's primary. With a single primary it is the same as <see cref="ReadAsync{T}(Func{IDatabaseAsync, Task{T}}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="key">The key the read is about: it picks the shard, and a replica that does not have it is
    /// double-checked on the primary (a slot migration may have just moved it away).</param>
    /// <param name="read">Issues the read with the flags it is given, for example
    /// <c>(db, flags) =&gt; db.StringGetAsync(key, flags)</c>. On a replica it runs inside one <c>MULTI</c>/<c>EXEC</c>
    /// with the probe (issue every command before awaiting one), only on keys of <paramref name="key"/>'s slot, and may run twice (on a replica, then on
    /// the primary): keep it free of side effects.</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned, from a server that has every write the token names.</returns>
    public ValueTask<T> ReadAsync<T>(RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, CancellationToken cancellationToken = default) =>
        ReadAsync(key, read, _client.Policy.WaitBudget, cancellationToken);

    /// <summary>Reads <paramref name="key"/> with read-your-writes, waiting at most <paramref name="waitBudget"/> for a replica.</summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="key">The key the read is about.</param>
    /// <param name="read">Issues the read with the flags it is given; see <see cref="ReadAsync{T}(RedisKey, Func{IDatabaseAsync, CommandFlags, Task{T}}, CancellationToken)"/>.</param>
    /// <param name="waitBudget">This read's wait budget (0 to <see cref="RywOptions.MaxWaitBudget"/>).</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned.</returns>
    public ValueTask<T> ReadAsync<T>(
        RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan waitBudget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThan(waitBudget, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(waitBudget, RywOptions.MaxWaitBudget);
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<T>(cancellationToken)
            : _client.Router.ReadAsync(this, key, read, waitBudget, cancellationToken);
    }
}
