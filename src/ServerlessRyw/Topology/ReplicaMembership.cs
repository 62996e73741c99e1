using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ServerlessRyw.Topology;

/// <summary>
/// Keeps a client's <see cref="Routing.ReplicaGroup"/> in step with what discovery reports: the fixed replicas
/// always, plus one toolkit-owned connection per discovered replica. A replica that joins is connected in the
/// background and only becomes a member once connected; one that leaves stops receiving new reads at once and its
/// connection is closed after a grace period (reads already on it finish). Unaffected connections are kept.
/// </summary>
/// <remarks>
/// Membership is a proposal, never a proof: a member serves a token-bound read only after a probe on it answered
/// as a replica of the token's history with an offset that covers it. A demoted primary therefore joins as soon as
/// discovery lists it and serves reads once it replicates the new history; a promoted replica that discovery has
/// not dropped yet answers as a primary and is not read as a replica.
/// </remarks>
internal sealed class ReplicaMembership : IDisposable
{
    private static readonly TimeSpan RetireGrace = TimeSpan.FromSeconds(5);

    private readonly Routing.ReplicaGroup _group;
    private readonly Routing.IReplicaSlot[] _fixed;
    private readonly Func<string, ConfigurationOptions> _configure;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, DiscoveredReplica> _discovered = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private HashSet<string> _wanted = new(StringComparer.OrdinalIgnoreCase);
    private int _disposed;

    public ReplicaMembership(Routing.ReplicaGroup group, Func<string, ConfigurationOptions> configure, ILogger logger)
    {
        _group = group;
        _fixed = group.Members;
        _configure = configure;
        _logger = logger;
    }

    /// <summary>Applies a snapshot: connects new replicas, retires gone ones. Quick: connections open in the background.</summary>
    public void Apply(TopologySnapshot snapshot)
    {
        if (snapshot.Status == TopologyStatus.Unknown || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        lock (_gate)
        {
            _wanted = new HashSet<string>(snapshot.Replicas.Select(static r => r.EndPoint), StringComparer.OrdinalIgnoreCase);
            foreach (var endPoint in _wanted)
            {
                _discovered.GetOrAdd(endPoint, ep => DiscoveredReplica.Open(ep, _configure(ep), this));
            }

            foreach (var (endPoint, replica) in _discovered)
            {
                if (!_wanted.Contains(endPoint) && _discovered.TryRemove(new KeyValuePair<string, DiscoveredReplica>(endPoint, replica)))
                {
                    replica.RetireAfter(RetireGrace);
                }
            }

            Publish();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var replica in _discovered.Values)
            {
                replica.Dispose();
            }

            _discovered.Clear();
        }
    }

    /// <summary>The fixed replicas plus every discovered one that is connected and still wanted.</summary>
    private void Publish()
    {
        var members = new List<Routing.IReplicaSlot>(_fixed);
        foreach (var endPoint in _wanted.Order(StringComparer.OrdinalIgnoreCase))
        {
            if (_discovered.TryGetValue(endPoint, out var replica) && replica.Node is not null && !IsFixed(replica.Node.Name))
            {
                members.Add(replica);
            }
        }

        _group.Replace([.. members]);
    }

    private bool IsFixed(string name) => Array.Exists(_fixed, f => string.Equals(f.Node?.Name, name, StringComparison.OrdinalIgnoreCase));

    private void Connected(DiscoveredReplica replica)
    {
        lock (_gate)
        {
            if (_discovered.TryGetValue(replica.EndPoint, out var current) && ReferenceEquals(current, replica))
            {
                Log.ReplicaJoined(_logger, replica.EndPoint);
                Publish();
            }
        }
    }

    private void ConnectFailed(string endPoint, Exception exception) => Log.ReplicaConnectFailed(_logger, endPoint, exception);

    /// <summary>The toolkit's own connection to one discovered replica.</summary>
    private sealed class DiscoveredReplica : Routing.IReplicaSlot, IDisposable
    {
        private Routing.RedisNode? _node;
        private int _disposed;

        private DiscoveredReplica(string endPoint) => EndPoint = endPoint;

        public string EndPoint { get; }

        public Routing.RedisNode? Node => Volatile.Read(ref _node);

        public static DiscoveredReplica Open(string endPoint, ConfigurationOptions configuration, ReplicaMembership owner)
        {
            var replica = new DiscoveredReplica(endPoint);
            _ = replica.ConnectAsync(configuration, owner);
            return replica;
        }

        public void RetireAfter(TimeSpan grace) =>
            _ = Task.Delay(grace).ContinueWith(static (_, state) => ((DiscoveredReplica)state!).Dispose(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Volatile.Read(ref _node)?.Connection.Dispose();
            }
        }

        private async Task ConnectAsync(ConfigurationOptions configuration, ReplicaMembership owner)
        {
            try
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                Volatile.Write(ref _node, new Routing.RedisNode(connection));
                if (Volatile.Read(ref _disposed) != 0)
                {
                    connection.Dispose();
                    return;
                }

                owner.Connected(this);
            }
            catch (Exception exception) when (exception is RedisException or ArgumentException or InvalidOperationException)
            {
                owner.ConnectFailed(EndPoint, exception);
            }
        }
    }
}
