using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// One shard of a cluster topology snapshot: a primary, the slots it serves, a key that routes to it, and its
/// replicas. Knows the primary's newest replication position and the shard's "floor": the primary's position
/// captured after this snapshot gave the shard its slots, which every replica read of the shard must reach.
/// </summary>
/// <remarks>
/// Why the floor: when a slot migrates here, its keys arrive by <c>RESTORE</c> on this primary before the slot
/// changes hands. A token captured for a write on the old shard says nothing about that <c>RESTORE</c>; a replica
/// that has reached a position taken after this process learned the new owner has applied it.
/// </remarks>
internal sealed class ClusterShard
{
    private readonly bool[] _owned;
    private ReplicationState? _known;
    private ReplicationState? _floor;
    private int _nextReplica;

    public ClusterShard(string primaryId, string? primaryEndPoint, bool[] owned, RedisKey routingKey, ClusterReplica[] replicas)
    {
        PrimaryId = primaryId;
        PrimaryEndPoint = primaryEndPoint;
        _owned = owned;
        RoutingKey = routingKey;
        Replicas = replicas;
    }

    public string PrimaryId { get; }

    public string? PrimaryEndPoint { get; }

    /// <summary>A key in one of this shard's slots: commands sent by it reach this shard's primary.</summary>
    public RedisKey RoutingKey { get; }

    public IReadOnlyList<ClusterReplica> Replicas { get; }

    /// <summary>The primary's newest position seen; never goes backwards within a history.</summary>
    public ReplicationState? Known => Volatile.Read(ref _known);

    /// <summary>The floor, once captured for this snapshot.</summary>
    public ReplicationState? Floor => Volatile.Read(ref _floor);

    public bool Owns(int slot) => _owned[slot];

    /// <summary>Whether every slot this shard serves was already served by it in <paramref name="earlier"/>.</summary>
    public bool GainedNoSlotsSince(ClusterShard earlier)
    {
        for (var slot = 0; slot < _owned.Length; slot++)
        {
            if (_owned[slot] && !earlier._owned[slot])
            {
                return false;
            }
        }

        return true;
    }

    public void Observe(ReplicationState state)
    {
        while (true)
        {
            var current = Volatile.Read(ref _known);
            if (current is not null && state.IsOlderThanOrSame(current))
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _known, state, current), current))
            {
                return;
            }
        }
    }

    /// <summary>Records the floor (first capture wins: any position taken after the snapshot is a valid floor).</summary>
    public void SetFloor(ReplicationState state)
    {
        Observe(state);
        Interlocked.CompareExchange(ref _floor, state, null);
    }

    /// <summary>Keeps what an earlier snapshot learned about the same primary.</summary>
    public void CarryOver(ClusterShard earlier)
    {
        if (earlier.Known is { } known)
        {
            Observe(known);
        }

        if (earlier.Floor is { } floor && GainedNoSlotsSince(earlier))
        {
            SetFloor(floor);
        }
    }

    /// <summary>A connected replica whose known position already covers <paramref name="required"/>, spreading the load.</summary>
    public RedisNode? FindCoveringReplica(ReplicationPosition required, RoutingPolicy policy)
    {
        var now = policy.Time.GetTimestamp();
        var count = Replicas.Count;
        var start = count == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _nextReplica) % (uint)count);
        for (var i = 0; i < count; i++)
        {
            if (Replicas[(start + i) % count].Node is { IsConnected: true } node
                && node.KnownSince(now, policy.KnownPositionLifetime, policy.Time) is { } known
                && known.Covers(required))
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>The next connected replica in turn, or <see langword="null"/>.</summary>
    public RedisNode? NextReplica()
    {
        var rotation = NextRotation();
        for (var i = 0; i < Replicas.Count; i++)
        {
            if (ReplicaAt(rotation, i) is { } node)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>Where the next walk over the shard's replicas starts, so reads spread across them.</summary>
    public int NextRotation() => (int)((uint)Interlocked.Increment(ref _nextReplica) % (uint)Math.Max(1, Replicas.Count));

    /// <summary>The replica <paramref name="step"/> places after <paramref name="rotation"/>'s start, if it is connected.</summary>
    public RedisNode? ReplicaAt(int rotation, int step) =>
        Replicas[(rotation + step) % Replicas.Count].Node is { IsConnected: true } node ? node : null;

    public override string ToString() => PrimaryEndPoint ?? PrimaryId;
}
