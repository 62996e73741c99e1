using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServerlessRyw.Routing;

/// <summary>
/// The toolkit's own connections to a Redis Cluster's replicas: one per endpoint, shared by every snapshot that
/// lists it, and closed (after a grace) once a newer snapshot no longer does.
/// </summary>
internal sealed class ClusterReplicaConnections : IDisposable
{
    private static readonly TimeSpan RetiredReplicaGrace = TimeSpan.FromSeconds(5);

    private readonly string _clusterConfiguration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ClusterReplica> _replicas = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private bool _disposed;

    public ClusterReplicaConnections(string clusterConfiguration, TimeProvider time, ILogger logger)
    {
        _clusterConfiguration = clusterConfiguration;
        _time = time;
        _logger = logger;
    }

    /// <summary>The connection to <paramref name="endPoint"/>, opened on first use.</summary>
    public ClusterReplica Open(string endPoint)
    {
        if (_replicas.TryGetValue(endPoint, out var existing))
        {
            return existing;
        }

        lock (_gate)
        {
            var replica = _replicas.GetOrAdd(endPoint, ep => ClusterReplica.Open(ep, _clusterConfiguration, OnConnectFailed));
            if (_disposed)
            {
                // Disposed while loading: the connection closes as soon as it opens.
                _replicas.TryRemove(endPoint, out _);
                replica.Dispose();
            }

            return replica;
        }
    }

    /// <summary>Waits until the first connection attempt to every replica opened so far has finished.</summary>
    public Task ConnectedAsync() =>
        Task.WhenAll(_replicas.Values.Select(static r => r.Connected));

    /// <summary>Closes the connections to replicas <paramref name="snapshot"/> no longer lists.</summary>
    public void RetireAllBut(ClusterSnapshot snapshot)
    {
        var inUse = snapshot.Shards.SelectMany(static s => s.Replicas).ToHashSet();
        foreach (var (endPoint, replica) in _replicas)
        {
            if (!inUse.Contains(replica) && _replicas.TryRemove(new KeyValuePair<string, ClusterReplica>(endPoint, replica)))
            {
                // Reads that picked it from the previous snapshot finish first (or fail over to the primary).
                _ = Task.Delay(RetiredReplicaGrace, _time, CancellationToken.None)
                    .ContinueWith(_ => replica.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var replica in _replicas.Values)
            {
                replica.Dispose();
            }

            _replicas.Clear();
        }
    }

    private void OnConnectFailed(string endPoint, Exception exception) =>
        Log.ClusterReplicaConnectFailed(_logger, endPoint, exception);
}
