using System.Diagnostics;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Faults;

/// <summary>
/// Engine defects found by <see cref="PrimaryHandoverTests"/>, kept apart so the handover suite stays green while they
/// are open. These tests FAIL until the engine is fixed (src/ is not ours to change here).
/// </summary>
/// <remarks>
/// The primary probe (capture and reconcile) is a <c>#!lua flags=no-writes</c> script so that a write pause
/// (<c>CLIENT PAUSE … WRITE</c>, which Redis 7 applies itself during <c>FAILOVER</c> and a lagging <c>SHUTDOWN</c>)
/// does not hold it (src/ServerlessRyw/Routing/ReplicationProbe.cs, remarks). The server indeed answers it at once on a
/// connection of its own; but the toolkit sends it on the application's primary multiplexer
/// (RywClient.SendPrimaryProbeAsync → PrimaryNode.Database), and Redis serves one connection's commands in order: once
/// any of the application's writes is paused on that connection, the probe queues behind it. The capture then times
/// out (bounded, counted) and the token goes out incomplete; whoever continues from it needs the primary's position,
/// whose probe is held too, so the read falls back to the primary, where the read itself queues behind the paused
/// write until the pause ends or StackExchange.Redis times out, although an idle, caught-up replica could serve it.
/// </remarks>
public sealed class PrimaryHandoverDefectTests(ITestOutputHelper output)
{
    private static readonly RywOptions Options = PrimaryHandoverTests.Options;
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task GetTokenAsync_PrimaryWritesPausedWithAnAppWriteWaiting_CaptureAnswersAndTokenIsComplete()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        using var client = lab.CreateClient(Options);
        var session = client.CreateSession();
        await session.Primary.StringSetAsync($"defect:{Guid.NewGuid():N}", 1); // written through Primary, answered

        await FaultLab.PauseWritesAsync(lab.Primary.EndPoint, Pause);
        var blocker = client.PrimaryConnection.GetDatabase().StringSetAsync("defect:another-invocation", 1); // paused by Redis
        var direct = Stopwatch.StartNew();
        var info = await RespClient.ExecuteAsync(lab.Primary.EndPoint, "EVAL", "#!lua flags=no-writes\nreturn redis.call('INFO', 'replication')", "0");
        var directTime = direct.Elapsed; // the server answers the probe script during the pause

        session.MarkWritten(); // the caller announces its answered write
        var clock = Stopwatch.StartNew();
        var token = await session.GetTokenAsync();
        var exportTime = clock.Elapsed;
        Figures.Record(output, nameof(GetTokenAsync_PrimaryWritesPausedWithAnAppWriteWaiting_CaptureAnswersAndTokenIsComplete), "probe_on_own_connection_ms", directTime.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        Figures.Record(output, nameof(GetTokenAsync_PrimaryWritesPausedWithAnAppWriteWaiting_CaptureAnswersAndTokenIsComplete), "export_ms", exportTime.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        Figures.Record(output, nameof(GetTokenAsync_PrimaryWritesPausedWithAnAppWriteWaiting_CaptureAnswersAndTokenIsComplete), "token", token.ToString());
        _ = await Record.ExceptionAsync(() => blocker); // it times out after 2 s of the 3 s pause: not what is tested

        Assert.Contains("role:master", info, StringComparison.Ordinal);
        Assert.True(directTime < TimeSpan.FromMilliseconds(200), $"the server held the no-writes probe: {directTime}");
        Assert.True(exportTime < Options.ReplicaTimeout, $"the capture waited out its deadline: {exportTime}");
        Assert.False(token.IsOverflowed, $"the capture probe was held behind the paused write; token sent incomplete: {token}");
    }

    [Fact]
    public async Task ReadAsync_PrimaryWritesPausedWithAnAppWriteWaiting_IncompleteTokenReadStaysInBound()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        using var client = lab.CreateClient(Options);
        RedisKey key = $"defect:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "written"));
        await lab.Servers.WaitForReplicasInSyncAsync(); // the replica holds everything: it could serve the read

        await FaultLab.PauseWritesAsync(lab.Primary.EndPoint, Pause);
        var blocker = client.PrimaryConnection.GetDatabase().StringSetAsync("defect:another-invocation", 1);
        writer.MarkWritten();
        var incomplete = await writer.ExportAsync(); // incomplete, as the defect above shows

        var clock = Stopwatch.StartNew();
        var failure = await Record.ExceptionAsync(async () => Assert.Equal("written", await client.CreateSession(incomplete).ReadAsync(db => db.StringGetAsync(key))));
        var readTime = clock.Elapsed;
        var test = nameof(ReadAsync_PrimaryWritesPausedWithAnAppWriteWaiting_IncompleteTokenReadStaysInBound);
        Figures.Record(output, test, "read_ms_vs_bound", $"{readTime.TotalMilliseconds:0} / {PrimaryHandoverTests.Limit.TotalMilliseconds:0}");
        Figures.Record(output, test, "read_failure", failure?.GetType().Name ?? "none");
        Figures.Record(output, test, "statistics", client.Statistics.ToString());
        _ = await Record.ExceptionAsync(() => blocker); // it times out after 2 s of the 3 s pause: not what is tested

        Assert.Null(failure);
        Assert.True(readTime < PrimaryHandoverTests.Limit, $"the read waited behind the paused write for {readTime}");
    }
}
