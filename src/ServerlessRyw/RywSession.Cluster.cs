using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
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
    public Task<T> ReadAsync<T>(RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, CancellationToken cancellationToken = default) =>
        ReadAsync(key, read, _client.Policy.WaitBudget, cancellationToken);

    /// <summary>Reads <paramref name="key"/> with read-your-writes, waiting at most <paramref name="waitBudget"/> for a replica.</summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="key">The key the read is about.</param>
    /// <param name="read">Issues the read with the flags it is given; see <see cref="ReadAsync{T}(RedisKey, Func{IDatabaseAsync, CommandFlags, Task{T}}, CancellationToken)"/>.</param>
    /// <param name="waitBudget">This read's wait budget (0 to <see cref="RywOptions.MaxWaitBudget"/>).</param>
    /// <param name="cancellationToken">Stops waiting for a lagging replica.</param>
    /// <returns>What the delegate returned.</returns>
    public Task<T> ReadAsync<T>(
        RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan waitBudget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (_client.Cluster is not { } cluster)
        {
            return ReadAsync(db => read(db, CommandFlags.None), waitBudget, cancellationToken);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(waitBudget, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(waitBudget, RywOptions.MaxWaitBudget);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<T>(cancellationToken)
            : ReadClusterAsync(cluster, key, read, waitBudget, cancellationToken);
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
        return _client.Cluster is { } cluster
            ? WriteClusterAsync(cluster, key, write, cancellationToken)
            : WriteAsync(write, cancellationToken);
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

    /// <summary>
    /// A read without a key cannot be routed to a shard: with Redis Cluster it goes to the primaries (the
    /// multiplexer's own routing, redirects followed), counted as a primary fallback unless the mode is primary-only.
    /// </summary>
    private async Task<T> ReadClusterKeylessAsync<T>(ClusterTopology cluster, Func<IDatabaseAsync, Task<T>> read)
    {
        var value = await read(cluster.Database).ConfigureAwait(false);
        RoutedTo(_client.Policy.Mode == RywMode.PrimaryOnly ? RywReadOutcome.Primary : RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0, null);
        return value;
    }

    /// <summary>
    /// A write without a key: it runs through the multiplexer's own routing, then every shard's primary is probed
    /// (one round trip, in parallel), because any of them may have taken part of it.
    /// </summary>
    private async Task<T> WriteClusterKeylessAsync<T>(ClusterTopology cluster, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await write(cluster.Database).ConfigureAwait(false);
        }
        finally
        {
            // Even a failed write may have applied some commands; the probes go after it was answered.
            MarkWritten();
            await EnsureClusterTokenReadyAsync(cluster, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Counts and reports a routed read (both topologies): an observer's bug must not fail the read it observes.</summary>
    private void RoutedTo(RywReadOutcome outcome, TimeSpan waited, int probes, string? server)
    {
        _client.Telemetry.RecordRead(outcome, waited);
        if (_client.Policy.OnReadRouted is { } callback)
        {
            try
            {
                callback(new RywReadRoutedArguments(outcome, waited, probes, server));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Log.CallbackFailed(_client.Logger, exception);
            }
        }
    }
}
