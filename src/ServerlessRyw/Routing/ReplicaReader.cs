using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>A read on one replica of a single primary, with the position probe in front of it.</summary>
internal static class ReplicaReader
{
    /// <summary>
    /// The probe and the read in one <c>MULTI</c>/<c>EXEC</c> on the replica: one message, one round trip, and one
    /// unit the server runs in that order, so the read sees at least what the probe reports (a replica applies
    /// replication between client commands, never inside a transaction). Ordering holds by construction: a plain
    /// pipeline may reach the server read-first while StackExchange.Redis considers the connection unsteady.
    /// </summary>
    /// <returns>The read with the probe's answer; <see cref="ReplicaReadStatus.Unavailable"/> without a state when
    /// the probe or the read did not come back.</returns>
    public static async Task<ReplicaRead<ReplicationState, T>> ProbeAndReadAsync<T>(RywClient client, RedisNode replica, Func<IDatabaseAsync, Task<T>> read)
    {
        var policy = client.Policy;
        var sent = policy.Time.GetTimestamp();
        var transaction = replica.Database.CreateTransaction();
        var probing = ReplicationProbe.SendAsync(transaction, replica.Script);
        Task<T> reading;
        try
        {
            reading = read(transaction);
        }
        catch
        {
            DeadlineWheel.ObserveLater(probing);
            throw;
        }

        ReplicationState? state = null;
        try
        {
            // One deadline for the whole unit: a hung replica costs one timeout, not two.
            await policy.Deadlines.WaitAsync(transaction.ExecuteAsync(), policy.ReplicaTimeout).ConfigureAwait(false);
            state = ReplicationProbe.Parse(await probing.ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException)
        {
            // OperationCanceledException: a transaction refused as a whole (EXECABORT) cancels its commands.
            if (exception is RedisServerException refused)
            {
                replica.Script.FallBackIfRefused(refused);
            }

            Log.ProbeFailed(client.Logger, replica.Name, exception);
        }

        if (state is null)
        {
            client.Telemetry.RecordProbeFailure();
            DeadlineWheel.ObserveLater(probing);
            DeadlineWheel.ObserveLater(reading);
            return default;
        }

        replica.Observe(state, policy.Time.GetTimestamp());
        if (!reading.IsCompleted)
        {
            try
            {
                await policy.Deadlines.WaitAsync(reading, RoutingPolicy.ReadDelegateGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The delegate awaited a command and then issued another into the executed transaction. The probe's
                // answer is in, so a read sent now runs after it on this replica: run the delegate again on its own.
                reading = read(replica.Database);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Its own error: observed below.
            }
        }

        try
        {
            var left = policy.ReplicaTimeout - policy.Time.GetElapsedTime(sent);
            return new(ReplicaReadStatus.Read, state, await policy.Deadlines.WaitAsync(reading, left).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (!RedisFailures.IsUnavailable(exception))
        {
            return new(ReplicaReadStatus.Read, state, default, ExceptionDispatchInfo.Capture(exception));
        }
        catch (Exception exception)
        {
            Log.ReplicaReadFailed(client.Logger, replica.Name, exception);
            return default;
        }
    }
}
