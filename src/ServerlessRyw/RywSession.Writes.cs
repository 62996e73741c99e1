using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

public sealed partial class RywSession
{
    /// <summary>
    /// Writes through the primary and captures the token in the same round trip: the commands the delegate issues
    /// and an offset probe go out as one pipelined batch.
    /// </summary>
    /// <typeparam name="T">What the delegate returns.</typeparam>
    /// <param name="write">
    /// Issues the write commands on the batch it is given, for example <c>db =&gt; db.StringSetAsync(key, value)</c>.
    /// Like any StackExchange.Redis batch, it must issue every command before awaiting one; for logic that awaits
    /// between commands (or transactions), write through <see cref="Primary"/> and call <see cref="MarkWritten"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels before the batch is sent.</param>
    /// <returns>What the delegate returned. Redis errors surface exactly as StackExchange.Redis raises them.</returns>
    /// <exception cref="InvalidOperationException">The delegate awaited a command before issuing all of them.</exception>
    public async Task<T> WriteAsync<T>(Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        var policy = _client.Policy;
        if (policy.Mode != RywMode.Token)
        {
            var result = await write(Primary).ConfigureAwait(false);
            if (policy.Mode == RywMode.Window)
            {
                MergeOwn(RywToken.FromWriteTime(policy.Time.GetUtcNow()));
            }

            return result;
        }

        if (_client.Cluster is { } cluster)
        {
            return await WriteClusterKeylessAsync(cluster, write, cancellationToken).ConfigureAwait(false); // see RywSession.Cluster.cs
        }

        var batch = Primary.CreateBatch();
        var writing = write(batch);
        var probing = ReplicationProbe.SendAsync(batch);
        batch.Execute();

        ReplicationState? state = null;
        Exception? probeError = null;
        try
        {
            state = ReplicationProbe.Parse(await probing.ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The write's own task reports what went wrong with the connection; the token is captured later.
            probeError = exception;
        }

        try
        {
            return await AwaitBatchedDelegateAsync(writing, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Even a failed write may have applied some of its commands: capture the position regardless.
            CaptureWrite(state, probeError);
        }
    }

    /// <summary>Writes through the primary and captures the token in the same round trip.</summary>
    /// <param name="write">Issues the write commands; see <see cref="WriteAsync{T}(Func{IDatabaseAsync, Task{T}}, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Cancels before the batch is sent.</param>
    /// <returns>A task that completes when the write and the capture are done.</returns>
    public Task WriteAsync(Func<IDatabaseAsync, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteAsync(async db =>
        {
            await write(db).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    private void CaptureWrite(ReplicationState? state, Exception? probeError)
    {
        if (state is null)
        {
            _client.Telemetry.RecordProbeFailure();
            Log.CaptureFailed(_client.Logger, probeError ?? new InvalidOperationException("The probe reply was not understood."));
            Volatile.Write(ref _writePending, true);
            return;
        }

        _client.PrimaryNode.Observe(state, _client.Policy.Time.GetTimestamp());
        _client.Telemetry.RecordWrite();
        MergeOwn(RywToken.FromPosition(new ReplicationPosition(state.ReplicationId, state.Offset), _client.Policy.Time.GetUtcNow()));
    }

    private async Task<T> AwaitBatchedDelegateAsync<T>(Task<T> writing, CancellationToken cancellationToken)
    {
        if (!writing.IsCompleted)
        {
            // Every command issued before the batch was sent has been answered by now (the probe went last).
            // A delegate still running is either finishing its continuation or waiting for a command it queued
            // after an await, which no batch will ever send: give it a grace period, then say so.
            try
            {
                await writing.WaitAsync(RoutingPolicy.WriteDelegateGrace, _client.Policy.Time, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (TimeoutException) when (!writing.IsCompleted)
            {
                throw new InvalidOperationException(
                    "The write delegate awaited a command before it had issued all of them, so the pipelined batch " +
                    "could not send the rest. Issue every command first (e.g. return Task.WhenAll(...)), or write " +
                    "through RywSession.Primary and call RywSession.MarkWritten().");
            }
        }

        return await writing.ConfigureAwait(false);
    }
}
