namespace ServerlessRyw.Routing;

/// <summary>
/// The replicas of one replication history — a single primary's, or one cluster shard's: which one to try next,
/// and which one is already known to cover a requirement. Reads spread across them by a shared rotation.
/// </summary>
/// <remarks>
/// Membership can be replaced while reads run (topology discovery): a read works on the member array it started
/// with, so a replacement never makes a round skip or repeat a replica.
/// </remarks>
internal sealed class ReplicaGroup(IReplicaSlot[] members)
{
    private IReplicaSlot[] _members = members;
    private int _next;

    /// <summary>The members now (a snapshot: it never changes under the caller).</summary>
    public IReplicaSlot[] Members => Volatile.Read(ref _members);

    /// <summary>Replaces the members; reads already under way finish on the old ones.</summary>
    public void Replace(IReplicaSlot[] members) => Volatile.Write(ref _members, members);

    /// <summary>
    /// A connected replica whose position, confirmed within <see cref="RoutingPolicy.KnownPositionLifetime"/>, already
    /// meets <paramref name="requirement"/>: the fast path, no probe. A member last seen answering as a primary is
    /// never one (after a failover a promoted replica takes writes the toolkit does not capture through it).
    /// </summary>
    public RedisNode? FindCovering<TRequirement>(in TRequirement requirement, RoutingPolicy policy)
        where TRequirement : struct, IReplicationRequirement
    {
        var round = StartRound();
        if (round.Count == 0)
        {
            return null;
        }

        var now = policy.Time.GetTimestamp();
        for (var i = 0; i < round.Count; i++)
        {
            if (round.At(i) is { } node
                && node.KnownSince(now, policy.KnownPositionLifetime, policy.Time) is { IsPrimary: false } known
                && requirement.IsMetBy(known))
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>The next connected replica in turn, or <see langword="null"/> when none is connected.</summary>
    public RedisNode? NextConnected()
    {
        var round = StartRound();
        for (var i = 0; i < round.Count; i++)
        {
            if (round.At(i) is { } node)
            {
                return node;
            }
        }

        return null;
    }

    /// <summary>
    /// One walk over every member from the next rotation start. One start per round: the shared rotation, advanced
    /// by other sessions meanwhile, could otherwise send a round to one replica twice and skip another.
    /// </summary>
    public ReplicaRound StartRound()
    {
        var members = Members;
        var start = members.Length == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _next) % (uint)members.Length);
        return new ReplicaRound(members, start);
    }
}

/// <summary>One walk over a group's members, each once, from a rotation start.</summary>
internal readonly struct ReplicaRound(IReplicaSlot[] members, int start)
{
    public int Count => members.Length;

    /// <summary>The member <paramref name="step"/> places after the start, if it is connected.</summary>
    public RedisNode? At(int step) => members[(start + step) % members.Length].Node is { IsConnected: true } node ? node : null;
}

/// <summary>A place in a <see cref="ReplicaGroup"/>: a replica connection, or one still being opened.</summary>
internal interface IReplicaSlot
{
    /// <summary>The connection, once there is one.</summary>
    RedisNode? Node { get; }
}

/// <summary>What a replica must have applied to serve a read (a struct, so lookups do not allocate).</summary>
internal interface IReplicationRequirement
{
    bool IsMetBy(ReplicationState state);
}

/// <summary>Every position of a token (single primary: it may name the histories before a failover).</summary>
internal readonly struct TokenRequirement(RywToken token) : IReplicationRequirement
{
    public bool IsMetBy(ReplicationState state) => state.Covers(token);
}

/// <summary>One position (a cluster shard's requirement in its primary's history).</summary>
internal readonly struct PositionRequirement(ReplicationPosition position) : IReplicationRequirement
{
    public bool IsMetBy(ReplicationState state) => state.Covers(position);
}
