using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests;

/// <summary>
/// Where serverless apps live: fresh connections on every cold start, script caches emptied under them, paused
/// primaries and replicas. Each scenario runs the same loop with the toolkit off (<see cref="RywMode.ReplicaUnsafe"/>)
/// to show the stale read it prevents. Bounds are generous (hang detection, not speed: speed is for `ryw bench`).
/// </summary>
[Collection(RedisServerTests.Name)]
public sealed class RywSessionOrderingTests(ReplicaSetFixture servers, ITestOutputHelper output)
{
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };

    // Budget + one replica attempt + one primary probe + the primary read, plus slack for a shared 2-core machine.
    private static readonly TimeSpan ReadBound = Options.WaitBudget + (Options.ReplicaTimeout * 2) + TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task WriteThenRead_FreshClientEveryIteration_NeverStale()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(20));
        var stale = await ColdStartsAsync(RywMode.Token, iterations: 1000);
        var unsafeStale = await ColdStartsAsync(RywMode.ReplicaUnsafe, iterations: 100);
        output.WriteLine($"cold starts: token mode {stale}/1000 stale; replica-unsafe {unsafeStale}/100 stale");
        Assert.Equal(0, stale);
        Assert.True(unsafeStale > 0, "the same loop without the toolkit must show stale reads");
    }

    [Fact]
    public async Task ReadAsync_ScriptFlushOnReplicaMidRun_NeverStale()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(30));
        using var client = servers.CreateLaggedClient(Options);
        var (stale, slowest) = await FlushingRunAsync(client, servers.LaggedReplicaEndPoint, iterations: 200);
        using var unsafeClient = servers.CreateLaggedClient(new RywOptions { Mode = RywMode.ReplicaUnsafe });
        var (unsafeStale, _) = await FlushingRunAsync(unsafeClient, servers.LaggedReplicaEndPoint, iterations: 50);
        output.WriteLine($"SCRIPT FLUSH on the replica: token {stale}/200 stale, slowest {slowest.TotalMilliseconds:0} ms; unsafe {unsafeStale}/50; probed hits {client.Statistics[RywReadOutcome.ProbedHit]}, waited {client.Statistics[RywReadOutcome.WaitedHit]}");
        Assert.Equal(0, stale);
        Assert.True(unsafeStale > 0);
        Assert.True(slowest < ReadBound, $"slowest write+read {slowest}");
    }

    [Fact]
    public async Task WriteAndExport_ScriptFlushOnPrimaryUnderLoad_NeverHang()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var client = servers.CreateLaggedClient(Options);
        using var flushing = new CancellationTokenSource();
        var flusher = Task.Run(async () =>
        {
            while (!flushing.IsCancellationRequested)
            {
                await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "SCRIPT", "FLUSH");
                await Task.Delay(1);
            }
        });
        var slowest = TimeSpan.Zero;
        var gate = new Lock();
        var lanes = Enumerable.Range(0, 8).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var clock = Stopwatch.StartNew();
                var session = client.CreateSession();
                await session.WriteAsync(db => db.StringSetAsync($"flush-primary:{lane}:{i}", i)).WaitAsync(TimeSpan.FromSeconds(10));
                var token = await session.ExportAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                Assert.False(string.IsNullOrEmpty(token));
                lock (gate)
                {
                    slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                }
            }
        })).ToArray();
        await Task.WhenAll(lanes);
        await flushing.CancelAsync();
        await flusher;
        output.WriteLine($"SCRIPT FLUSH on the primary: 400 write+export, slowest {slowest.TotalMilliseconds:0} ms, probe failures {client.Statistics.ProbeFailures}");
        Assert.True(slowest < ReadBound, $"slowest write+export {slowest}");
    }

    [Fact]
    public async Task ReadAsync_ClientPauseWriteOnReplica_BoundedAndNeverStale()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(30));
        using var client = servers.CreateLaggedClient(Options);
        var stale = 0;
        var slowest = TimeSpan.Zero;
        await RespClient.ExecuteAsync(servers.LaggedReplicaEndPoint, "CLIENT", "PAUSE", "1500", "WRITE");
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var (fresh, elapsed) = await WriteThenReadAsync(client, $"pause-replica:{Guid.NewGuid():N}");
                stale += fresh ? 0 : 1;
                slowest = elapsed > slowest ? elapsed : slowest;
            }
        }
        finally
        {
            await RespClient.ExecuteAsync(servers.LaggedReplicaEndPoint, "CLIENT", "UNPAUSE");
        }

        output.WriteLine($"CLIENT PAUSE WRITE on the replica: 0..10 reads stale {stale}, slowest {slowest.TotalMilliseconds:0} ms, outcomes {client.Statistics}");
        Assert.Equal(0, stale);
        Assert.True(slowest < ReadBound, $"slowest {slowest}");
    }

    [Fact]
    public async Task ExportAsync_ClientPauseWriteOnPrimary_AnswersWithinTheDeadline()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var client = servers.CreateLaggedClient(Options);
        var session = client.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync($"pause-primary:{Guid.NewGuid():N}", "v"));
        await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "CLIENT", "PAUSE", "1500", "WRITE");
        TimeSpan elapsed;
        string token;
        try
        {
            session.MarkWritten();
            var clock = Stopwatch.StartNew();
            token = await session.ExportAsync();
            elapsed = clock.Elapsed;
        }
        finally
        {
            await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "CLIENT", "UNPAUSE");
        }

        output.WriteLine($"CLIENT PAUSE WRITE on the primary: MarkWritten + ExportAsync took {elapsed.TotalMilliseconds:0} ms, token {token}");
        Assert.True(RywToken.TryParse(token, out var parsed, out _));
        Assert.False(parsed.IsOverflowed, "the no-writes probe is not held by a write pause, so the capture completes");
        Assert.False(session.HasPendingWrite);
        Assert.True(elapsed < Options.ReplicaTimeout + TimeSpan.FromMilliseconds(300), $"export took {elapsed}");
    }

    [Fact]
    public async Task MarkWritten_DuringAnInFlightCapture_StaysPending()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        await using var slowLink = DelayingTcpProxy.Start(servers.PrimaryEndPoint, TimeSpan.FromMilliseconds(75), delayBothDirections: true);
        using var client = new RywClient(servers.Connect(slowLink.EndPoint), [servers.Connect(servers.PromptReplicaEndPoint)],
            new RywOptions { ReplicaTimeout = TimeSpan.FromSeconds(2) });
        var session = client.CreateSession();
        session.MarkWritten();
        var capturing = session.GetTokenAsync().AsTask(); // its probe is in flight for ~150 ms
        await Task.Delay(40);
        var writing = session.Primary.StringSetAsync($"announce:{Guid.NewGuid():N}", "late");
        session.MarkWritten(); // announced while the first capture is in flight: that capture must not clear it
        await capturing;
        await writing;
        Assert.True(session.HasPendingWrite, "a write announced during a capture is still pending after it");

        var (_, primaryOffset) = await ServerExtensions.ReadReplicationAsync(servers.PrimaryEndPoint);
        var token = await session.GetTokenAsync();
        Assert.False(session.HasPendingWrite);
        Assert.True(token.Positions[0].Offset >= primaryOffset - 200, $"token {token} vs primary {primaryOffset}");
    }

    [Fact]
    public async Task GetTokenAsync_PrimaryUnreachable_ReturnsAnIncompleteTokenWithinTheDeadline()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        await using var link = DelayingTcpProxy.Start(servers.PrimaryEndPoint, TimeSpan.Zero, delayBothDirections: true);
        using var client = new RywClient(servers.Connect(link.EndPoint), [servers.Connect(servers.PromptReplicaEndPoint)], Options);
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync($"stall:{Guid.NewGuid():N}", "v"));
        link.Delay = TimeSpan.FromSeconds(30); // the primary answers nothing within the deadline
        writer.MarkWritten(); // a write through Primary, announced while the primary is out of reach
        var clock = Stopwatch.StartNew();
        var token = await writer.GetTokenAsync();
        var elapsed = clock.Elapsed;
        link.Delay = TimeSpan.Zero;

        output.WriteLine($"stalled primary: GetTokenAsync took {elapsed.TotalMilliseconds:0} ms, token {token}");
        Assert.True(elapsed < Options.ReplicaTimeout + TimeSpan.FromMilliseconds(300), $"took {elapsed}");
        Assert.True(token.IsOverflowed, "an uncaptured write travels as an incomplete token");
        Assert.True(writer.HasPendingWrite);
        Assert.True(client.Statistics.ProbeFailures > 0);

        // The mark survives the text form, so whoever continues from it requires the primary's position.
        Assert.True(RywToken.TryParse(token.ToString(), out var parsed, out _) && parsed.IsOverflowed);
    }

    private async Task<int> ColdStartsAsync(RywMode mode, int iterations)
    {
        var stale = 0;
        var next = -1;
        var run = Guid.NewGuid().ToString("N");
        var lanes = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < iterations)
            {
                // A cold start: new multiplexers to the primary and the lagging replica, first command on each.
                using var primary = await ConnectionMultiplexer.ConnectAsync(servers.PrimaryEndPoint);
                using var replica = await ConnectionMultiplexer.ConnectAsync(servers.LaggedReplicaEndPoint);
                using var client = new RywClient(primary, [replica], new RywOptions { Mode = mode, WaitBudget = Options.WaitBudget, ReplicaTimeout = Options.ReplicaTimeout });
                var key = $"cold:{run}:{i}";
                var writer = client.CreateSession();
                await writer.WriteAsync(db => db.StringSetAsync(key, i));
                var reader = client.CreateSession(await writer.ExportAsync());
                if ((int?)await reader.ReadAsync(db => db.StringGetAsync(key)) != i)
                {
                    Interlocked.Increment(ref stale);
                }
            }
        })).ToArray();
        await Task.WhenAll(lanes);
        return stale;
    }

    private static async Task<(int Stale, TimeSpan Slowest)> FlushingRunAsync(RywClient client, string replica, int iterations)
    {
        var stale = 0;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < iterations; i++)
        {
            await RespClient.ExecuteAsync(replica, "SCRIPT", "FLUSH");
            var (fresh, elapsed) = await WriteThenReadAsync(client, $"flush-replica:{Guid.NewGuid():N}");
            stale += fresh ? 0 : 1;
            slowest = elapsed > slowest ? elapsed : slowest;
        }

        return (stale, slowest);
    }

    /// <summary>One invocation writes, the next (a new session from the exported token) reads; timed from the caller.</summary>
    private static async Task<(bool Fresh, TimeSpan Elapsed)> WriteThenReadAsync(RywClient client, string key)
    {
        var value = Guid.NewGuid().ToString("N");
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, value));
        var token = await writer.ExportAsync();
        var clock = Stopwatch.StartNew();
        var read = await client.CreateSession(token).ReadAsync(db => db.StringGetAsync(key));
        return (read == value, clock.Elapsed);
    }
}
