using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Sentinel.Tests;

/// <summary>
/// The client over Sentinel: it finds the primary and replicas, follows a failover and runtime replica changes
/// without a restart, and keeps chains of invocations free of stale reads meanwhile. Replication lag comes from
/// pausing a replica's replication (<c>CLIENT PAUSE … WRITE</c>) in bursts, so the toolkit-off run shows stale reads.
/// </summary>
public sealed class RywClientSentinelTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Eventually = TimeSpan.FromSeconds(20);

    // The outcome of the read the current lane is making (the routing callback runs in that read's async context).
    private static readonly AsyncLocal<System.Runtime.CompilerServices.StrongBox<(RywReadOutcome Outcome, string? Server)?>> CurrentRead = new();

    [Fact]
    public async Task ConnectAsync_Sentinel_FindsThePrimaryAndEveryReplica()
    {
        await using var set = await LocalSentinelSet.StartAsync(replicas: 2);
        using var client = await RywClient.ConnectAsync(Options(set, RywMode.Token));

        Assert.Equal(set.Primary.EndPoint, client.PrimaryConnection.GetEndPoints().Select(e => e.ToString()!).Single(e => IsPrimary(client, e)));
        await WaitForMembersAsync(client, set.Replicas.Select(r => r.EndPoint));
    }

    [Fact]
    public async Task ChainLoop_SentinelFailoverMidRun_NoStaleReadsAndTheOldPrimaryJoinsAsReplica()
    {
        await using var set = await LocalSentinelSet.StartAsync(replicas: 2);
        using var client = await RywClient.ConnectAsync(Options(set, RywMode.Token));
        await WaitForMembersAsync(client, set.Replicas.Select(r => r.EndPoint));
        var oldPrimary = set.Primary.EndPoint;

        var run = await RunChainsAsync(client, set, TimeSpan.FromSeconds(5), failoverAfter: TimeSpan.FromSeconds(1));
        var promoted = set.Primary.EndPoint;
        output.WriteLine($"token mode through SENTINEL FAILOVER: {run}");
        output.WriteLine(run.MissDetails);

        Assert.NotEqual(oldPrimary, promoted);
        Assert.True(run.Stale == 0, $"{run}{Environment.NewLine}{run.MissDetails}");
        Assert.Equal(0, run.ToolkitExceptions);
        Assert.True(run.Reads > 50, run.ToString());
        Assert.True(run.SlowestReplicaRead < TimeSpan.FromMilliseconds(100 + 500 + 500), run.ToString());

        // No restart: the demoted primary joins the replicas, the promoted one leaves them.
        await WaitForMembersAsync(client, set.Replicas.Select(r => r.EndPoint));
        Assert.Contains(oldPrimary, MemberEndPoints(client));
        Assert.DoesNotContain(promoted, MemberEndPoints(client));

        await using var controlSet = await LocalSentinelSet.StartAsync(replicas: 2);
        using var unsafeClient = await RywClient.ConnectAsync(Options(controlSet, RywMode.ReplicaUnsafe));
        await WaitForMembersAsync(unsafeClient, controlSet.Replicas.Select(r => r.EndPoint));
        var control = await RunChainsAsync(unsafeClient, controlSet, TimeSpan.FromSeconds(5), failoverAfter: TimeSpan.FromSeconds(1));
        output.WriteLine($"replica-unsafe, same loop: {control}");
        Assert.True(control.Stale > 0, "the same loop without the toolkit must read stale");
    }

    [Fact]
    public async Task ChainLoop_PrimaryKilledMidRun_NoStaleReadsOnDataTheFailoverKept()
    {
        await using var set = await LocalSentinelSet.StartAsync(replicas: 2);
        using var client = await RywClient.ConnectAsync(Options(set, RywMode.Token));
        await WaitForMembersAsync(client, set.Replicas.Select(r => r.EndPoint));
        var killed = set.Primary.EndPoint;

        var run = await RunChainsAsync(client, set, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(1), async () =>
        {
            set.KillPrimary();
            await set.WaitForNewPrimaryAsync(killed);
        });
        output.WriteLine($"token mode through a killed primary (sentinel-driven promotion): {run}");

        Assert.NotEqual(killed, set.Primary.EndPoint);
        Assert.True(run.Stale == 0, $"{run}{Environment.NewLine}{run.MissDetails}"); // a read that misses a write the new primary does not have either is a lost write
        Assert.Equal(0, run.ToolkitExceptions);
        Assert.True(run.Reads > 20, run.ToString());
        Assert.True(run.SlowestReplicaRead < TimeSpan.FromMilliseconds(100 + 500 + 500), run.ToString());
        await WaitForMembersAsync(client, set.Replicas.Where(r => r.IsRunning).Select(r => r.EndPoint)); // the promoted replica left, the dead primary never joined
    }

    [Fact]
    public async Task Topology_ReplicaAddedThenRemovedAtRuntime_JoinsThenLeavesWithoutARestart()
    {
        await using var set = await LocalSentinelSet.StartAsync(replicas: 1);
        using var client = await RywClient.ConnectAsync(Options(set, RywMode.Token));
        await WaitForMembersAsync(client, set.Replicas.Select(r => r.EndPoint));
        var first = client.Replicas.Members.Single().Node!;

        var added = await set.AddReplicaAsync();
        await WaitForMembersAsync(client, [first.Name, added.EndPoint]);
        Assert.Same(first, client.Replicas.Members.Select(m => m.Node).First(n => n!.Name == first.Name)); // kept, not reconnected

        await set.RemoveReplicaAsync(added);
        await WaitForMembersAsync(client, [first.Name]);
        Assert.True(first.IsConnected);
    }

    private static RywOptions Options(LocalSentinelSet set, RywMode mode)
    {
        var options = new RywOptions
        {
            Mode = mode,
            WaitBudget = TimeSpan.FromMilliseconds(100),
            ReplicaTimeout = TimeSpan.FromMilliseconds(250),
            OnReadRouted = static routed =>
            {
                if (CurrentRead.Value is { } box)
                {
                    box.Value = (routed.Outcome, routed.Server);
                }
            },
        };
        options.Topology.Sentinel = set.SentinelConfiguration;
        options.Topology.RefreshInterval = TimeSpan.FromSeconds(1);
        return options;
    }

    private static bool IsPrimary(RywClient client, string endPoint) => !client.PrimaryConnection.GetServer(endPoint).IsReplica;

    private static string[] MemberEndPoints(RywClient client) =>
        [.. client.Replicas.Members.Select(m => m.Node?.Name).OfType<string>().Order(StringComparer.Ordinal)];

    private static async Task WaitForMembersAsync(RywClient client, IEnumerable<string> expected)
    {
        var want = expected.Order(StringComparer.Ordinal).ToArray();
        var deadline = Stopwatch.StartNew();
        while (!MemberEndPoints(client).SequenceEqual(want))
        {
            if (deadline.Elapsed > Eventually)
            {
                Assert.Fail($"replica members {string.Join(",", MemberEndPoints(client))}, expected {string.Join(",", want)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Lanes of write-then-read invocations (the reader is a new session from the exported token) while replicas'
    /// replication is paused in bursts, and optionally a Sentinel failover. A read that differs from the write is
    /// stale only if the primary after the failover has the write: otherwise the failover lost it, which no read can be
    /// blamed for. That is asked once the run is over (see <see cref="ChainRun.ClassifyMissesAsync"/>): asked right
    /// after the read, "the primary" can still be the old one, which holds writes it is about to discard.
    /// </summary>
    private static Task<ChainRun> RunChainsAsync(RywClient client, LocalSentinelSet set, TimeSpan duration, TimeSpan? failoverAfter) =>
        RunChainsAsync(client, set, duration, failoverAfter, async () => await set.FailoverAsync());

    private static async Task<ChainRun> RunChainsAsync(RywClient client, LocalSentinelSet set, TimeSpan duration, TimeSpan? failoverAfter, Func<Task> fault)
    {
        var run = new ChainRun();
        using var stop = new CancellationTokenSource(duration);
        var pauses = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var replica in set.Replicas)
                {
                    await TryAsync(() => RespClient.ExecuteAsync(replica.EndPoint, "CLIENT", "PAUSE", "80", "WRITE"));
                }

                await Task.Delay(120);
            }
        });
        var failover = failoverAfter is { } after
            ? Task.Run(async () =>
            {
                await Task.Delay(after);
                await fault();
            })
            : Task.CompletedTask;
        var runId = Guid.NewGuid().ToString("N");
        var lanes = Enumerable.Range(0, 4).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // One key per write: after the run, the final primary tells which writes survived the failover.
                var key = $"sentinel-chain:{runId}:{lane}:{i}";
                string token;
                try
                {
                    var writer = client.CreateSession();
                    await writer.WriteAsync(db => db.StringSetAsync(key, i));
                    token = await writer.ExportAsync();
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    run.WriteFailed(); // the application's own write during the switch
                    continue;
                }
                catch (Exception)
                {
                    run.ToolkitException();
                    continue;
                }

                var clock = Stopwatch.StartNew();
                var outcome = CurrentRead.Value = new System.Runtime.CompilerServices.StrongBox<(RywReadOutcome Outcome, string? Server)?>();
                try
                {
                    var value = (int?)await client.CreateSession(token).ReadAsync(db => db.StringGetAsync(key));
                    var routedToReplica = outcome.Value?.Outcome is RywReadOutcome.ReplicaHit or RywReadOutcome.ProbedHit or RywReadOutcome.WaitedHit or RywReadOutcome.Replica;
                    if (value != i)
                    {
                        var database = client.PrimaryConnection.GetDatabase();
                        var checkedOn = await database.IdentifyEndpointAsync(key);
                        var onPrimary = (int?)await database.StringGetAsync(key);
                        var nodes = await NodesAsync(set, key);
                        run.Missed(new Miss(key, i, value, outcome.Value?.Outcome, outcome.Value?.Server, token, onPrimary, checkedOn?.ToString()) { Nodes = nodes }, clock.Elapsed, routedToReplica);
                        continue;
                    }

                    run.Read(clock.Elapsed, routedToReplica, stale: false, lost: false);
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    run.ReadFailed(); // a primary read while the primary is switching: the application's own failure
                    continue;
                }
                catch (Exception)
                {
                    run.ToolkitException();
                }
            }
        })).ToArray();
        await Task.WhenAll(lanes);
        await failover;
        await pauses;
        await run.ClassifyMissesAsync(client, set.Primary.EndPoint);
        return run;
    }

    /// <summary>
    /// Waits until the client's primary connection names <paramref name="primary"/> as its only primary: during a
    /// switch StackExchange.Redis can see the old primary (not demoted yet, still holding writes it will discard) and
    /// the new one both as primaries, and a read sent "to the primary" may land on either.
    /// </summary>
    private static async Task WaitForOnlyPrimaryAsync(IConnectionMultiplexer connection, string primary)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var primaries = connection.GetEndPoints().Select(e => connection.GetServer(e)).Where(s => s.IsConnected && !s.IsReplica).Select(s => s.EndPoint.ToString()).ToArray();
            if (primaries.Length == 1 && primaries[0] == primary)
            {
                return;
            }

            if (deadline.Elapsed > Eventually)
            {
                Assert.Fail($"the primary connection sees primaries {string.Join(",", primaries)}, expected only {primary}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Every data node's role, replication history and offset, and its value for <paramref name="key"/>, asked directly.</summary>
    private static async Task<string> NodesAsync(LocalSentinelSet set, string key)
    {
        var text = new List<string>();
        foreach (var node in set.Nodes)
        {
            try
            {
                var value = await RespClient.ExecuteAsync(node.EndPoint, "GET", key);
                var info = RedisInfo.Parse(await RespClient.ExecuteAsync(node.EndPoint, "INFO", "replication"));
                text.Add($"{node.EndPoint} {info.GetValueOrDefault("role")} of {info.GetValueOrDefault("master_port", "-")} " +
                    $"replid {info.GetValueOrDefault("master_replid")?[..8]} offset {info.GetValueOrDefault("master_repl_offset")} " +
                    $"replid2 {info.GetValueOrDefault("master_replid2")?[..8]} second {info.GetValueOrDefault("second_repl_offset")} has {value ?? "nil"}");
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or RespProtocolException or RedisErrorReplyException)
            {
                text.Add($"{node.EndPoint}: {exception.Message}");
            }
        }

        return string.Join(" | ", text);
    }

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or RespProtocolException or RedisErrorReplyException)
        {
            // A replica mid-failover may refuse or drop the pause: the burst is skipped.
        }
    }

    /// <summary>A read that did not return its chain's write, with what was known when it happened.</summary>
    private sealed record Miss(string Key, int Wrote, int? Read, RywReadOutcome? Outcome, string? Server, string Token, int? OnPrimaryThen, string? PrimaryThen)
    {
        public int? OnFinalPrimary { get; set; }

        public string? Nodes { get; init; }

        public override string ToString() =>
            $"{Key}: wrote {Wrote}, read {Text(Read)} ({Outcome?.ToString() ?? "no routing callback"} on {Server ?? "?"}), " +
            $"primary right after the read ({PrimaryThen ?? "?"}) had {Text(OnPrimaryThen)}, the final primary has {Text(OnFinalPrimary)}; token {Token}; nodes right after: {Nodes}";

        private static string Text(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nil";
    }

    private sealed class ChainRun
    {
        private readonly Lock _gate = new();
        private readonly List<Miss> _misses = [];
        private TimeSpan _slowestMissedReplicaRead;

        public int Reads { get; private set; }

        public int Stale { get; private set; }

        public string MissDetails => string.Join(Environment.NewLine, _misses.Where(m => m.OnFinalPrimary == m.Wrote || m.OnPrimaryThen == m.Wrote));

        public int Lost { get; private set; }

        public int FailedWrites { get; private set; }

        public int FailedReads { get; private set; }

        public int ToolkitExceptions { get; private set; }

        public TimeSpan SlowestReplicaRead { get; private set; }

        public TimeSpan SlowestRead { get; private set; }

        public void Read(TimeSpan elapsed, bool onReplica, bool stale, bool lost)
        {
            lock (_gate)
            {
                Reads++;
                Stale += stale ? 1 : 0;
                Lost += lost ? 1 : 0;
                SlowestRead = elapsed > SlowestRead ? elapsed : SlowestRead;
                if (onReplica && elapsed > SlowestReplicaRead)
                {
                    SlowestReplicaRead = elapsed;
                }
            }
        }

        public IReadOnlyList<Miss> Misses => _misses;

        /// <summary>How many misses the check right after the read would have called stale, against the final primary's answer.</summary>
        public int StaleByImmediateCheck => _misses.Count(m => m.OnPrimaryThen == m.Wrote);

        public void Missed(Miss miss, TimeSpan elapsed, bool onReplica)
        {
            lock (_gate)
            {
                _misses.Add(miss);
                if (onReplica && elapsed > _slowestMissedReplicaRead)
                {
                    _slowestMissedReplicaRead = elapsed;
                }

                Reads++;
                SlowestRead = elapsed > SlowestRead ? elapsed : SlowestRead;
                if (onReplica && elapsed > SlowestReplicaRead)
                {
                    SlowestReplicaRead = elapsed;
                }
            }
        }

        /// <summary>
        /// A miss is stale only if the primary after the failover holds the write; otherwise the failover lost it. Asked
        /// once the connection follows the new primary alone, with one key per write so later writes cannot answer.
        /// </summary>
        public async Task ClassifyMissesAsync(RywClient client, string primary)
        {
            if (_misses.Count == 0)
            {
                return;
            }

            await WaitForOnlyPrimaryAsync(client.PrimaryConnection, primary);
            var database = client.PrimaryConnection.GetDatabase();
            foreach (var miss in _misses)
            {
                miss.OnFinalPrimary = (int?)await database.StringGetAsync(miss.Key, CommandFlags.DemandMaster);
                if (miss.OnFinalPrimary == miss.Wrote)
                {
                    Stale++;
                }
                else
                {
                    Lost++;
                }
            }
        }

        public void WriteFailed()
        {
            lock (_gate)
            {
                FailedWrites++;
            }
        }

        public void ReadFailed()
        {
            lock (_gate)
            {
                FailedReads++;
            }
        }

        public void ToolkitException()
        {
            lock (_gate)
            {
                ToolkitExceptions++;
            }
        }

        public override string ToString() =>
            $"reads={Reads} stale={Stale} lost={Lost} (the primary right after the read would have said stale={StaleByImmediateCheck}) failedWrites={FailedWrites} failedReads={FailedReads} toolkitExceptions={ToolkitExceptions} slowestRead={SlowestRead.TotalMilliseconds:0}ms slowestReplicaRead={SlowestReplicaRead.TotalMilliseconds:0}ms";
    }
}
