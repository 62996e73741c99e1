using Microsoft.Extensions.Time.Testing;
using ServerlessRyw.Routing;
using ServerlessRyw.Tests.Infrastructure;

namespace ServerlessRyw.Tests.Routing;

/// <summary>
/// The wait loop's budget and backoff on a fake clock: which attempts happen, when, and when it gives up. The
/// replicas are real connections (the loop only needs connected nodes); the attempts are scripted, so no timing of
/// the machine enters the assertions.
/// </summary>
[Collection(RedisServerTests.Name)]
public sealed class WaitLoopTests(ReplicaSetFixture servers)
{
    [Fact]
    public async Task RunAsync_NoReplicaCatchesUp_BacksOffDoublingUntilTheBudgetThenGivesUp()
    {
        var time = new RecordingTimeProvider();
        var policy = Policy(time, budget: TimeSpan.FromMilliseconds(40));
        var group = new ReplicaGroup([Node(servers.PromptReplicaEndPoint)]);
        var attempt = new ScriptedAttempt(time);

        var running = WaitLoop.RunAsync(group, policy, policy.WaitBudget, attempt, CancellationToken.None).AsTask();
        await time.RunTimersUntilAsync(running);
        var outcome = await running;

        // Pauses of 1, 2, 4, 8, 16 (the maximum) and the 9 ms left of the 40 ms budget; an attempt after each.
        Assert.Equal([1, 2, 4, 8, 16, 9], time.PausesMs);
        Assert.Equal([0, 1, 3, 7, 15, 31, 40], attempt.AttemptedAtMs);
        Assert.False(outcome.Served);
        Assert.True(outcome.Slept);
        Assert.Equal(7, outcome.Probes);
        Assert.Equal(TimeSpan.FromMilliseconds(40), outcome.Waited);
    }

    [Fact]
    public async Task RunAsync_SecondReplicaCaughtUp_ServedInTheFirstRoundWithoutSleeping()
    {
        var time = new FakeTimeProvider();
        var policy = Policy(time, budget: TimeSpan.FromMilliseconds(100));
        var lagging = Node(servers.LaggedReplicaEndPoint);
        var caughtUp = Node(servers.PromptReplicaEndPoint);
        var attempt = new ScriptedAttempt(time) { ServedBy = caughtUp };

        var outcome = await WaitLoop.RunAsync(new ReplicaGroup([lagging, caughtUp]), policy, policy.WaitBudget, attempt, CancellationToken.None);

        Assert.Same(caughtUp, outcome.Server);
        Assert.False(outcome.Slept);
        Assert.Equal(TimeSpan.Zero, outcome.Waited);
        Assert.InRange(outcome.Probes, 1, 2); // the rotation decides which of the two goes first
    }

    [Fact]
    public async Task RunAsync_AttemptSaysReadThePrimary_StopsAtOnce()
    {
        var time = new FakeTimeProvider();
        var policy = Policy(time, budget: TimeSpan.FromMilliseconds(100));
        var attempt = new ScriptedAttempt(time) { Verdict = AttemptVerdict.ReadPrimary };

        var outcome = await WaitLoop.RunAsync(new ReplicaGroup([Node(servers.PromptReplicaEndPoint)]), policy, policy.WaitBudget, attempt, CancellationToken.None);

        Assert.False(outcome.Served);
        Assert.Single(attempt.AttemptedAtMs);
    }

    [Fact]
    public async Task RunAsync_NoConnectedReplica_GivesUpWithoutWaiting()
    {
        var time = new FakeTimeProvider();
        var policy = Policy(time, budget: TimeSpan.FromMilliseconds(100));
        var attempt = new ScriptedAttempt(time);

        var outcome = await WaitLoop.RunAsync(new ReplicaGroup([]), policy, policy.WaitBudget, attempt, CancellationToken.None);

        Assert.False(outcome.Served);
        Assert.False(outcome.Slept);
        Assert.Empty(attempt.AttemptedAtMs);
    }

    private RedisNode Node(string endPoint) => new(servers.Connect(endPoint));

    private static RoutingPolicy Policy(TimeProvider time, TimeSpan budget) => new(new RywOptions
    {
        TimeProvider = time,
        WaitBudget = budget,
        InitialBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(16),
    });

    /// <summary>A fake clock that records every pause asked of it and, driven by the test, fires each one exactly.</summary>
    private sealed class RecordingTimeProvider : FakeTimeProvider
    {
        private readonly List<TimeSpan> _pauses = [];

        public List<int> PausesMs
        {
            get
            {
                lock (_pauses)
                {
                    return _pauses.ConvertAll(static p => (int)p.TotalMilliseconds);
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Pauses only: the client's deadline timer is created stopped (infinite due time).
            if (dueTime >= TimeSpan.Zero)
            {
                lock (_pauses)
                {
                    _pauses.Add(dueTime);
                }
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }

        /// <summary>Each time the loop parks in a pause, moves the clock by exactly that pause, until it ends.</summary>
        public async Task RunTimersUntilAsync(Task running)
        {
            var fired = 0;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!running.IsCompleted && DateTime.UtcNow < deadline)
            {
                TimeSpan? next = null;
                lock (_pauses)
                {
                    if (_pauses.Count > fired)
                    {
                        next = _pauses[fired++];
                    }
                }

                if (next is { } pause)
                {
                    Advance(pause);
                }
                else
                {
                    await Task.Delay(1);
                }
            }
        }
    }

    /// <summary>An attempt that records the fake time it ran at and answers as scripted.</summary>
    private sealed class ScriptedAttempt(TimeProvider time) : IReplicaAttempt
    {
        private readonly DateTimeOffset _start = time.GetUtcNow();

        public List<int> AttemptedAtMs { get; } = [];

        public RedisNode? ServedBy { get; init; }

        public AttemptVerdict Verdict { get; init; } = AttemptVerdict.TryNext;

        public ValueTask<AttemptVerdict> TryAsync(RedisNode replica, CancellationToken cancellationToken)
        {
            lock (AttemptedAtMs)
            {
                AttemptedAtMs.Add((int)(time.GetUtcNow() - _start).TotalMilliseconds);
            }

            return ValueTask.FromResult(ReferenceEquals(replica, ServedBy) ? AttemptVerdict.Served : Verdict);
        }
    }
}
