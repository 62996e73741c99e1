using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>A read of one key on one replica of its Redis Cluster shard, with the offset probe when asked.</summary>
internal static class ClusterReplicaReader
{
    // On the toolkit's own replica connections: a MOVED comes back as an error instead of being followed.
    private const CommandFlags ReplicaReadFlags = CommandFlags.NoRedirect;

    /// <summary>
    /// One replica round trip: <c>READONLY</c> (the connection is not in cluster mode and may have reconnected), then
    /// one <c>MULTI</c>/<c>EXEC</c> holding the offset probe when asked, the read, and <c>EXISTS key</c> when asked.
    /// The transaction is one message the server runs as a unit in that order, so the probe's position is one the
    /// read has reached, and a replica that has the key after the read did not lose it to a slot migration before it.
    /// If <c>READONLY</c> ever reached the server after the transaction, the transaction's keys are refused with a
    /// redirect: a primary read, never a stale one.
    /// </summary>
    public static async Task<ReplicaRead<ClusterNodeState, T>> ReadAsync<T>(
        RywClient client, RedisNode replica, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, bool probe, bool verify, ProbeScript script)
    {
        var readOnly = replica.Database.ExecuteAsync("READONLY");
        var batch = replica.Database.CreateTransaction();
        var probing = probe ? ClusterProbe.SendAsync(batch, script) : null;
        Task<T> reading;
        try
        {
            reading = read(batch, ReplicaReadFlags);
        }
        catch
        {
            DeadlineWheel.ObserveLater(readOnly);
            DeadlineWheel.ObserveLater(probing);
            throw;
        }

        var exists = verify ? batch.KeyExistsAsync(key, ReplicaReadFlags) : null;
        var executing = batch.ExecuteAsync();

        // One deadline for all of them: they travel together, so a hung replica costs one timeout.
        var policy = client.Policy;
        var sent = policy.Time.GetTimestamp();
        TimeSpan Left() => policy.ReplicaTimeout - policy.Time.GetElapsedTime(sent);
        ClusterNodeState? state = null;
        try
        {
            await policy.Deadlines.WaitAsync(readOnly, Left()).ConfigureAwait(false);
            await policy.Deadlines.WaitAsync(executing, Left()).ConfigureAwait(false);
            if (probing is not null)
            {
                state = ClusterProbe.Parse(await policy.Deadlines.WaitAsync(probing, Left()).ConfigureAwait(false));
                if (state is null)
                {
                    client.Telemetry.RecordProbeFailure();
                    return Abandon<T>(ReplicaReadStatus.Unavailable, null, reading, exists);
                }
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            if (exception is RedisServerException refused)
            {
                script.FallBackIfRefused(refused);
            }

            if (probing is not null)
            {
                Log.ProbeFailed(client.Logger, replica.Name, exception);
                client.Telemetry.RecordProbeFailure();
            }
            else
            {
                Log.ReplicaReadFailed(client.Logger, replica.Name, exception);
            }

            return Abandon<T>(ClusterFailures.IsRedirect(exception) ? ReplicaReadStatus.Redirected : ReplicaReadStatus.Unavailable, null, reading, exists);
        }

        T? value = default;
        ExceptionDispatchInfo? error = null;
        try
        {
            value = await policy.Deadlines.WaitAsync(reading, Left()).ConfigureAwait(false);
        }
        catch (Exception exception) when (ClusterFailures.IsRedirect(exception) || RedisFailures.IsUnavailable(exception) || exception is OperationCanceledException)
        {
            // A transaction refused as a whole (EXECABORT) cancels its commands: the replica did not serve.
            Log.ReplicaReadFailed(client.Logger, replica.Name, exception);
            return Abandon<T>(ClusterFailures.IsRedirect(exception) ? ReplicaReadStatus.Redirected : ReplicaReadStatus.Unavailable, state, null, exists);
        }
        catch (Exception exception)
        {
            // Kept, not thrown yet: on a replica that turns out to lag, the error may itself be stale.
            error = ExceptionDispatchInfo.Capture(exception);
        }

        if (exists is not null)
        {
            try
            {
                if (!await policy.Deadlines.WaitAsync(exists, Left()).ConfigureAwait(false))
                {
                    return new ReplicaRead<ClusterNodeState, T>(ReplicaReadStatus.Missing, state, default, null);
                }
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
            {
                return new ReplicaRead<ClusterNodeState, T>(ClusterFailures.IsRedirect(exception) ? ReplicaReadStatus.Redirected : ReplicaReadStatus.Unavailable, state, default, null);
            }
        }

        return new ReplicaRead<ClusterNodeState, T>(ReplicaReadStatus.Read, state, value, error);
    }

    private static ReplicaRead<ClusterNodeState, T> Abandon<T>(ReplicaReadStatus status, ClusterNodeState? state, Task? reading, Task? exists)
    {
        DeadlineWheel.ObserveLater(reading);
        DeadlineWheel.ObserveLater(exists);
        return new ReplicaRead<ClusterNodeState, T>(status, state, default, null);
    }
}
