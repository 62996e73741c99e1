using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Routing for a Redis Cluster: a keyed read goes to a replica of the key's shard once it has reached the token's
/// position for that shard; keyless commands take the multiplexer's own routing to the primaries.
/// </summary>
internal sealed class ClusterRouter(RywClient client, ClusterTopology cluster) : SessionRouter(client)
{
    // On the application's cluster connection: the slot's primary, redirects followed (a primary is authoritative).
    private const CommandFlags PrimaryReadFlags = CommandFlags.DemandMaster;

    private readonly ClusterCapture _capture = new(client, cluster);

    public override bool CapturesIncompleteTokens => false;

    /// <summary>
    /// A read without a key cannot be routed to a shard: it goes to the primaries (the multiplexer's own routing,
    /// redirects followed), counted as a primary fallback unless the mode is primary-only.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<T> ReadAsync<T>(RywSession session, Func<IDatabaseAsync, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken)
    {
        var value = await read(cluster.Database).ConfigureAwait(false);
        Report(Policy.Mode == RywMode.PrimaryOnly ? RywReadOutcome.Primary : RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0, null);
        return value;
    }

    public override ValueTask<T> ReadAsync<T>(
        RywSession session, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken) =>
        Policy.Mode switch
        {
            RywMode.PrimaryOnly => ReadPrimaryAsync(read, RywReadOutcome.Primary, TimeSpan.Zero, 0, null),
            RywMode.Window when IsWithinWindow(session) => ReadPrimaryAsync(read, RywReadOutcome.Primary, TimeSpan.Zero, 0, null),
            RywMode.Window or RywMode.ReplicaUnsafe => ReadAnyReplicaAsync(key, read, cancellationToken),
            _ => ReadWithTokenAsync(session, key, read, budget, cancellationToken),
        };

    public override async Task<T> WriteAsync<T>(RywSession session, RedisKey key, Func<IDatabaseAsync, Task<T>> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Policy.Mode != RywMode.Token)
        {
            var result = await write(cluster.Database).ConfigureAwait(false);
            if (Policy.Mode == RywMode.Window)
            {
                session.Tokens.MergeOwn(RywToken.FromWriteTime(Policy.Time.GetUtcNow()));
            }

            return result;
        }

        // Known shards let the capture tell whether the write landed where the topology says (no slot migration).
        var snapshot = await cluster.GetAsync(cancellationToken).ConfigureAwait(false);

        // The capture is sent after the write was answered (ordering by construction). It names the written key, so
        // the cluster routes it like the write: to the same primary, through the same MOVED or ASK redirect during a
        // slot migration.
        try
        {
            return await write(cluster.Database).ConfigureAwait(false);
        }
        finally
        {
            // Even a failed write may have applied some of its commands: capture the position regardless.
            await _capture.CaptureWriteAsync(session, snapshot, key).ConfigureAwait(false);
        }
    }

    public override ValueTask<bool> CaptureAsync(RywSession session, CancellationToken cancellationToken) =>
        _capture.CaptureAllAsync(session, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReadWithTokenAsync<T>(
        RywSession session, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (!await CaptureAsync(session, cancellationToken).ConfigureAwait(false)
            || await cluster.GetAsync(cancellationToken).ConfigureAwait(false) is not { } snapshot
            || snapshot.ForSlot(ClusterSlots.Of(key)) is not { } shard)
        {
            return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 1, null).ConfigureAwait(false);
        }

        if (session.Token.Positions.IsEmpty)
        {
            return await ReadAnyReplicaAsync(key, read, cancellationToken).ConfigureAwait(false);
        }

        if (await _capture.RequirementAsync(session, snapshot, shard, cancellationToken).ConfigureAwait(false) is not { } required)
        {
            return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 1, shard).ConfigureAwait(false);
        }

        if (shard.Group.FindCovering(new PositionRequirement(required), Policy) is { } caughtUp)
        {
            return await ReadWithoutProbeAsync(caughtUp, key, read, verify: true, RywReadOutcome.ReplicaHit).ConfigureAwait(false) is (true, var value)
                ? value
                : await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0, shard).ConfigureAwait(false);
        }

        var attempt = new ClusterReplicaAttempt<T>(this, _capture, session, cluster, shard, key, read, required);
        var outcome = await WaitLoop.RunAsync(shard.Group, Policy, budget, attempt, cancellationToken).ConfigureAwait(false);
        if (outcome.Server is { } server)
        {
            Report(outcome.Slept ? RywReadOutcome.WaitedHit : RywReadOutcome.ProbedHit, outcome.Waited, outcome.Probes, server.Name);
            return attempt.Result();
        }

        Log.FellBackToPrimary(Client.Logger, budget.TotalMilliseconds);
        return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, outcome.Waited, outcome.Probes, shard).ConfigureAwait(false);
    }

    /// <summary>No token: any replica of the key's shard, unchecked (also the unsafe and after-the-window modes).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReadAnyReplicaAsync<T>(RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, CancellationToken cancellationToken)
    {
        var snapshot = await cluster.GetAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot?.ForSlot(ClusterSlots.Of(key)) is { } shard
            && shard.Group.NextConnected() is { } replica
            && await ReadWithoutProbeAsync(replica, key, read, verify: false, RywReadOutcome.Replica).ConfigureAwait(false) is (true, var value))
        {
            return value;
        }

        return await ReadPrimaryAsync(read, RywReadOutcome.PrimaryFallback, TimeSpan.Zero, 0, null).ConfigureAwait(false);
    }

    /// <summary>
    /// One read on a replica without a probe: one already known to cover the requirement (checking the key is still
    /// there), or any replica when nothing is required. Reported as <paramref name="outcome"/> when it served;
    /// otherwise why it could not is noted, and the caller reads the primary.
    /// </summary>
    private async ValueTask<(bool Served, T Value)> ReadWithoutProbeAsync<T>(
        RedisNode replica, RedisKey key, Func<IDatabaseAsync, CommandFlags, Task<T>> read, bool verify, RywReadOutcome outcome)
    {
        var attempt = await ClusterReplicaReader.ReadAsync(Client, replica, key, read, probe: false, verify, cluster.Script).ConfigureAwait(false);
        if (attempt.Status != ReplicaReadStatus.Read)
        {
            NoteUnusable(replica, key, attempt.Status);
            return (false, default!);
        }

        Report(outcome, TimeSpan.Zero, 0, replica.Name);
        return (true, attempt.Result()); // the delegate's own error, if it had one, is the read's answer
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> ReadPrimaryAsync<T>(
        Func<IDatabaseAsync, CommandFlags, Task<T>> read, RywReadOutcome outcome, TimeSpan waited, int probes, ClusterShard? shard)
    {
        var value = await read(cluster.Database, PrimaryReadFlags).ConfigureAwait(false);
        Report(outcome, waited, probes, shard?.PrimaryEndPoint);
        return value;
    }

    /// <summary>Why a replica could not serve: a redirect means the topology is stale, a missing key may have migrated.</summary>
    internal void NoteUnusable(RedisNode replica, RedisKey key, ReplicaReadStatus status)
    {
        var slot = ClusterSlots.Of(key);
        switch (status)
        {
            case ReplicaReadStatus.Redirected:
                Log.ClusterRedirected(Client.Logger, replica.Name, slot);
                cluster.RequestRefresh(slot);
                break;
            case ReplicaReadStatus.Missing:
                Log.ClusterMissingKeyConfirmed(Client.Logger, replica.Name, slot);
                break;
            default:
                break;
        }
    }
}
