using Microsoft.Extensions.Time.Testing;
using ServerlessRyw.Routing;
using ServerlessRyw.Tests.Infrastructure;

namespace ServerlessRyw.Tests.Routing;

/// <summary>The fast-path lookup on a fake clock: what is trusted, for how long, and what never is.</summary>
[Collection(RedisServerTests.Name)]
public sealed class ReplicaGroupTests(ReplicaSetFixture servers)
{
    private const string History = "8c3f0e5b2a1d4c6e8f0a2b4c6d8e0f1a2b3c4d5e";
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    [Fact]
    public void FindCovering_PositionConfirmedWithinTheLifetime_ReturnsTheReplica()
    {
        var (group, node, policy, time) = Setup();
        node.Observe(new ReplicationState(History, 100, null, 0, IsPrimary: false), time.GetTimestamp());
        time.Advance(Lifetime);

        Assert.Same(node, group.FindCovering(Requirement(100), policy));
        Assert.Null(group.FindCovering(Requirement(101), policy));
    }

    [Fact]
    public void FindCovering_PositionOlderThanTheLifetime_IsNotTrusted()
    {
        var (group, node, policy, time) = Setup();
        node.Observe(new ReplicationState(History, 100, null, 0, IsPrimary: false), time.GetTimestamp());
        time.Advance(Lifetime + TimeSpan.FromTicks(1));

        // A replica can change history (failover, primary restart) without its connection dropping.
        Assert.Null(group.FindCovering(Requirement(100), policy));
    }

    [Fact]
    public void FindCovering_NodeLastSeenAsPrimary_IsNeverAReplicaRead()
    {
        var (group, node, policy, time) = Setup();
        node.Observe(new ReplicationState(History, 500, null, 0, IsPrimary: true), time.GetTimestamp());

        Assert.Null(group.FindCovering(Requirement(100), policy));
    }

    [Fact]
    public void Replace_NewMembers_ReadsUseThemAndAStartedRoundKeepsItsOwn()
    {
        var (group, node, _, _) = Setup();
        var round = group.StartRound();
        var other = new RedisNode(servers.Connect(servers.LaggedReplicaEndPoint));

        group.Replace([other]);

        Assert.Same(node, round.At(0));
        Assert.Same(other, group.NextConnected());
    }

    private (ReplicaGroup Group, RedisNode Node, RoutingPolicy Policy, FakeTimeProvider Time) Setup()
    {
        var time = new FakeTimeProvider();
        var node = new RedisNode(servers.Connect(servers.PromptReplicaEndPoint));
        var policy = new RoutingPolicy(new RywOptions { TimeProvider = time, KnownPositionLifetime = Lifetime });
        return (new ReplicaGroup([node]), node, policy, time);
    }

    private static PositionRequirement Requirement(long offset) => new(new ReplicationPosition(History, offset));
}
