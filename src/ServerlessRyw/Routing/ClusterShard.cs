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

    public ClusterShard(string primaryId, string? primaryEndPoint, bool[] owned, RedisKey routingKey, ClusterReplica[] replicas)
    {
        PrimaryId = primaryId;
        PrimaryEndPoint = primaryEndPoint;
        _owned = owned;
        RoutingKey = routingKey;
        Replicas = replicas;
        Group = new ReplicaGroup(replicas);
    }

    public string PrimaryId { get; }

    public string? PrimaryEndPoint { get; }

    /// <summary>A key in one of this shard's slots: commands sent by it reach this shard's primary.</summary>
    public RedisKey RoutingKey { get; }

    public IReadOnlyList<ClusterReplica> Replicas { get; }

    /// <summary>The shard's replicas as a group: rotation and the fast-path lookup, shared with the single-primary router.</summary>
    public ReplicaGroup Group { get; }

    /// <summary>The primary's newest position seen; never goes backwards within a history.</summary>
    public ReplicationState? Known => Volatile.Read(ref _known);

    /// <summary>The floor, once captured for this snapshot.</summary>
    public ReplicationState? Floor => Volatile.Read(ref _floor);

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

    public override string ToString() => PrimaryEndPoint ?? PrimaryId;
}
