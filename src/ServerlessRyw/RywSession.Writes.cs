using ServerlessRyw.Routing;
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
    public async Task<T> WriteAsync<T>(Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        if (_client.Cluster is { } cluster && _client.Policy.Mode == RywMode.Token)
        {
            return await WriteClusterKeylessAsync(cluster, write, cancellationToken).ConfigureAwait(false); // see RywSession.Cluster.cs
        }

        try
        {
            return await write(Primary).ConfigureAwait(false);
        }
        finally
        {
            MarkWritten();
            if (_client.Policy.Mode == RywMode.Token)
            {
                // Not the caller's token: a capture that was cancelled would leave the write pending, which is safe
                // but makes the next read pay for it. Bounded by the deadline either way.
                await EnsureTokenReadyAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
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
}
