using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// The process-wide view of a Redis Cluster: which shard serves each slot, each shard's replicas (with the toolkit's
/// own connection to each) and each primary's replication position. Refreshed from <c>CLUSTER NODES</c> (through a
/// script, so no admin mode) when the multiplexer reports a moved slot, when a read or probe meets a redirect or an
/// unexpected node, and when it is older than <see cref="MaxAge"/>.
/// </summary>
/// <remarks>
/// Correctness never depends on this view being current: a replica refuses keys it does not serve (MOVED, read from
/// the primary instead), a probe names the node that answered, and a shard's floor is captured after the view gave it
/// its slots. A stale view costs primary reads, not stale reads.
/// </remarks>
internal sealed class ClusterTopology : IDisposable
{
    /// <summary>How old a snapshot may get before a read triggers a background refresh.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    /// <summary>The least time between two refreshes, so a burst of redirects costs one.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMilliseconds(100);

    private readonly IConnectionMultiplexer _cluster;
    private readonly RoutingPolicy _policy;
    private readonly ILogger _logger;
    private readonly RywTelemetry _telemetry;
    private readonly ClusterReplicaConnections _replicas;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private ClusterSnapshot? _current;
    private Task? _refreshing;

    // Completed (and replaced) after every load attempt, so a first read waits for one attempt, not for a loop
    // that may keep refreshing while the cluster changes.
    private TaskCompletionSource<ClusterSnapshot?> _attempt = NewAttempt();
    private bool _dirty;
    private int? _hintSlot;
    private long _lastRefreshStarted;

    public ClusterTopology(IConnectionMultiplexer cluster, RoutingPolicy policy, ILogger logger, RywTelemetry telemetry)
    {
        _cluster = cluster;
        _policy = policy;
        _logger = logger;
        _telemetry = telemetry;
        Database = cluster.GetDatabase();
        _replicas = new ClusterReplicaConnections(cluster.Configuration, policy.Time, logger);
        _cluster.HashSlotMoved += OnHashSlotMoved;
    }

    /// <summary>The application's cluster connection: writes, primary probes and primary reads.</summary>
    public IDatabase Database { get; }

    /// <summary>Which probe script the cluster's nodes understand (they run one Redis version in practice).</summary>
    public ProbeScript Script { get; } = new(ClusterProbe.Script, ClusterProbe.LegacyScript);

    public ClusterSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>The current snapshot (refreshing it in the background when old), loading the first one if needed.</summary>
    /// <returns><see langword="null"/> when no snapshot could be loaded: callers read the primary.</returns>
    public async ValueTask<ClusterSnapshot?> GetAsync(CancellationToken cancellationToken)
    {
        if (Current is { } current)
        {
            if (_policy.Time.GetElapsedTime(current.LoadedAt) > MaxAge)
            {
                RequestRefresh(null);
            }

            return current;
        }

        var attempt = Volatile.Read(ref _attempt).Task;
        RequestRefresh(null);
        return await attempt.WaitAsync(cancellationToken).ConfigureAwait(false) ?? Current;
    }

    /// <summary>Asks for a refresh soon; <paramref name="slot"/>, when known, is a slot whose owner changed.</summary>
    public void RequestRefresh(int? slot)
    {
        lock (_gate)
        {
            _dirty = true;
            _hintSlot = slot ?? _hintSlot;
            if (_refreshing is null && !_disposing.IsCancellationRequested)
            {
                _refreshing = Task.Run(RefreshLoopAsync);
            }
        }
    }

    /// <summary>
    /// The position of <paramref name="shard"/>'s primary now, sent by its routing key so it reaches that shard.
    /// <see langword="null"/> when the probe failed or another node answered (the topology is then refreshed).
    /// </summary>
    public async Task<ClusterNodeState?> ProbePrimaryAsync(ClusterShard shard, CancellationToken cancellationToken) =>
        await ProbePrimaryAsync(shard, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Probes every shard's primary at once (one round trip); an entry is null where that probe failed.</summary>
    public Task<ClusterNodeState?[]> ProbeAllPrimariesAsync(ClusterSnapshot snapshot, CancellationToken cancellationToken) =>
        Task.WhenAll(snapshot.Shards.Select(shard => ProbePrimaryAsync(shard, snapshot, cancellationToken)));

    /// <summary>A node reported <paramref name="epoch"/>: if it is newer than the snapshot's, the cluster changed since.</summary>
    public void NoticeEpoch(long epoch) => NoticeEpoch(epoch, Current);

    private void NoticeEpoch(long epoch, ClusterSnapshot? snapshot)
    {
        if (snapshot is not null && epoch > snapshot.Epoch)
        {
            RequestRefresh(null);
        }
    }

    private async Task<RedisResult> SendToPrimaryAsync(ClusterShard shard)
    {
        try
        {
            return await ClusterProbe.SendToPrimaryAsync(Database, Script, shard.RoutingKey).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (Script.FallBackIfRefused(exception))
        {
            return await ClusterProbe.SendToPrimaryAsync(Database, Script, shard.RoutingKey).ConfigureAwait(false);
        }
    }

    private async Task<ClusterNodeState?> ProbePrimaryAsync(ClusterShard shard, ClusterSnapshot? snapshot, CancellationToken cancellationToken)
    {
        try
        {
            // Bounded like every call the toolkit makes: a paused or unreachable primary must not hold a read or an export.
            var reply = await _policy.Deadlines.WaitAsync(SendToPrimaryAsync(shard), _policy.ReplicaTimeout, cancellationToken).ConfigureAwait(false);
            if (ClusterProbe.Parse(reply) is { } state)
            {
                if (state.NodeId != shard.PrimaryId || !state.Replication.IsPrimary)
                {
                    Log.ClusterUnexpectedNode(_logger, shard.ToString(), state.NodeId);
                    RequestRefresh(null);
                    return null;
                }

                shard.Observe(state.Replication);
                NoticeEpoch(state.Epoch, snapshot ?? Current);
                return state;
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.ProbeFailed(_logger, shard.ToString(), exception);
        }

        _telemetry.RecordProbeFailure();
        return null;
    }

    /// <summary>Waits until the first connection attempt to every replica in the current snapshot has finished.</summary>
    public Task ReplicasConnectedAsync() => _replicas.ConnectedAsync();

    public void Dispose()
    {
        _cluster.HashSlotMoved -= OnHashSlotMoved;
        lock (_gate)
        {
            _disposing.Cancel();
        }

        _replicas.Dispose();
    }

    private void OnHashSlotMoved(object? sender, HashSlotMovedEventArgs e) => RequestRefresh(e.HashSlot);

    private static TaskCompletionSource<ClusterSnapshot?> NewAttempt() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RefreshLoopAsync()
    {
        while (true)
        {
            int? hint;
            lock (_gate)
            {
                if (!_dirty || _disposing.IsCancellationRequested)
                {
                    _refreshing = null;
                    if (_disposing.IsCancellationRequested)
                    {
                        _attempt.TrySetResult(Current);
                    }

                    return;
                }

                _dirty = false;
                hint = _hintSlot;
                _hintSlot = null;
            }

            try
            {
                var wait = MinRefreshInterval - _policy.Time.GetElapsedTime(Volatile.Read(ref _lastRefreshStarted));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _policy.Time, _disposing.Token).ConfigureAwait(false);
                }

                Volatile.Write(ref _lastRefreshStarted, _policy.Time.GetTimestamp());
                var loaded = await LoadAsync(hint).ConfigureAwait(false);
                Interlocked.Exchange(ref _attempt, NewAttempt()).TrySetResult(loaded);
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _refreshing = null;
                    _attempt.TrySetResult(Current);
                }

                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The loop must survive anything: readers waiting for a first snapshot fall back to the primary.
                Log.ClusterTopologyFailed(_logger, exception);
                Interlocked.Exchange(ref _attempt, NewAttempt()).TrySetResult(null);
            }
        }
    }

    private async Task<ClusterSnapshot?> LoadAsync(int? hint)
    {
        string? text;
        long epoch;
        try
        {
            var key = hint is { } slot ? ClusterSlots.KeyFor(s => s == slot) : null;
            // CLUSTER NODES text is larger than a probe's; a topology load may take a few probe deadlines.
            var reply = (RedisResult[]?)await _policy.Deadlines.WaitAsync(ClusterProbe.SendNodesAsync(Database, key), _policy.ReplicaTimeout * 4)
                .ConfigureAwait(false);
            text = reply is { Length: >= 2 } ? (string?)reply[0] : null;
            epoch = reply is { Length: >= 2 } ? ClusterProbe.ParseEpoch((string?)reply[1]) : 0;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or InvalidCastException)
        {
            Log.ClusterTopologyFailed(_logger, exception);
            return null;
        }

        if (_disposing.IsCancellationRequested)
        {
            return null;
        }

        var nodes = ClusterNodesParser.Parse(text);
        var previous = Current;
        var snapshot = ClusterSnapshot.Build(nodes, epoch, _replicas.Open, previous, _policy.Time.GetTimestamp());
        if (snapshot.Shards.Count == 0)
        {
            Log.ClusterTopologyFailed(_logger, new InvalidOperationException("CLUSTER NODES listed no primary serving slots."));
            return null;
        }

        // Attributing token positions to shards needs each primary's history: one round trip for all of them,
        // before the snapshot is used.
        var states = await ProbeAllPrimariesAsync(snapshot, _disposing.Token).ConfigureAwait(false);
        snapshot.RaiseEpoch(states.Max(static s => s?.Epoch ?? 0));
        Volatile.Write(ref _current, snapshot);
        _replicas.RetireAllBut(snapshot);
        Log.ClusterTopologyLoaded(_logger, snapshot.Shards.Count, snapshot.Shards.Sum(static s => s.Replicas.Count), snapshot.Epoch);
        return snapshot;
    }
}
