using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>
    /// Writes through the primary; the session's token then covers the write. The position is captured by the next
    /// routed read or token export, with one primary probe that every session of the process waiting for one shares.
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
        }
    }

    /// <summary>Writes through the primary; the session's token then covers the write.</summary>
    /// <param name="write">Issues the write commands; see <see cref="WriteAsync{T}(Func{IDatabaseAsync, Task{T}}, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels before the write is sent.</param>
    /// <returns>A task that completes when the write is done.</returns>
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
