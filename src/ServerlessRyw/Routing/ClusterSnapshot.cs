namespace ServerlessRyw.Routing;

/// <summary>The cluster's shards and slot owners as one node reported them; immutable once built.</summary>
internal sealed class ClusterSnapshot
{
    private readonly ClusterShard?[] _bySlot;

    private ClusterSnapshot(ClusterShard[] shards, ClusterShard?[] bySlot, long epoch, long loadedAt)
    {
        Shards = shards;
        _bySlot = bySlot;
        Epoch = epoch;
        LoadedAt = loadedAt;
    }

    public IReadOnlyList<ClusterShard> Shards { get; }

    /// <summary>
    /// The highest current epoch among the reporting node and the primaries probed while loading: a node reporting a
    /// higher one has heard of a later change (a failover, a slot changing hands).
    /// </summary>
    public long Epoch { get; private set; }

    /// <summary>When it was loaded (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LoadedAt { get; }

    /// <summary>Takes epochs seen while loading into account (before the snapshot is published).</summary>
    public void RaiseEpoch(long epoch) => Epoch = Math.Max(Epoch, epoch);

    /// <summary>The shard serving <paramref name="slot"/>, or <see langword="null"/> when no shard claims it.</summary>
    public ClusterShard? ForSlot(int slot) => _bySlot[slot];

    /// <summary>The shard whose primary's history contains <paramref name="position"/>, if its primary was probed.</summary>
    public ClusterShard? Attribute(ReplicationPosition position)
    {
        foreach (var shard in Shards)
        {
            if (shard.Known is { } known && known.Knows(position))
            {
                return shard;
            }
        }

        return null;
    }

    /// <summary>Builds a snapshot; when two primaries claim a slot, the higher config epoch wins, as in Redis.</summary>
    public static ClusterSnapshot Build(
        IReadOnlyList<ClusterNodeInfo> nodes, long epoch, Func<string, ClusterReplica> replicaFor, ClusterSnapshot? previous, long now)
    {
        var claims = new ClusterNodeInfo?[ClusterSlots.Count];
        foreach (var node in nodes.Where(static n => n.IsPrimary))
        {
            foreach (var (start, end) in node.Slots)
            {
                for (var slot = start; slot <= end; slot++)
                {
                    if (claims[slot] is not { } other || other.ConfigEpoch < node.ConfigEpoch)
                    {
                        claims[slot] = node;
                    }
                }
            }
        }

        var shards = new List<ClusterShard>();
        var bySlot = new ClusterShard?[ClusterSlots.Count];
        foreach (var primary in nodes.Where(n => n.IsPrimary && claims.Contains(n)))
        {
            var owned = new bool[ClusterSlots.Count];
            for (var slot = 0; slot < owned.Length; slot++)
            {
                owned[slot] = ReferenceEquals(claims[slot], primary);
            }

            if (ClusterSlots.KeyFor(slot => owned[slot]) is not { } routingKey)
            {
                continue;
            }

            var replicas = nodes
                .Where(n => n.IsReplica && !n.IsUnusable && n.EndPoint is not null && n.PrimaryId == primary.Id)
                .Select(n => replicaFor(n.EndPoint!))
                .ToArray();
            var shard = new ClusterShard(primary.Id, primary.EndPoint, owned, routingKey, replicas);
            if (previous?.Shards.FirstOrDefault(s => s.PrimaryId == primary.Id) is { } earlier)
            {
                shard.CarryOver(earlier);
            }

            shards.Add(shard);
            for (var slot = 0; slot < owned.Length; slot++)
            {
                if (owned[slot])
                {
                    bySlot[slot] = shard;
                }
            }
        }

        return new ClusterSnapshot([.. shards], bySlot, epoch, now);
    }
}
