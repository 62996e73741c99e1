using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Routing;
using ServerlessRyw.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests.Routing;

/// <summary>
/// Primary probes on the toolkit's own connection. Redis serves one connection's commands in order, so once an
/// application write is held by <c>CLIENT PAUSE … WRITE</c> (as during <c>FAILOVER</c> or a lagging <c>SHUTDOWN</c>),
/// a probe sent on the application's connection waits behind it although the server would answer it at once. Each
/// scenario first shows that queueing on the application's connection, then that the toolkit does not wait for it.
/// </summary>
[Collection(RedisServerTests.Name)]
public sealed class PrimaryProbeConnectionTests(ReplicaSetFixture servers, ITestOutputHelper output)
{
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1500);

    // Budget + one replica attempt + one primary probe + the primary read, plus slack for a shared 2-core machine.
    private static readonly TimeSpan ReadBound = Options.WaitBudget + (Options.ReplicaTimeout * 2) + TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task GetTokenAsync_PrimaryPausedWithAnApplicationWriteQueued_CaptureAnswersAndTokenIsComplete()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var client = servers.CreateLaggedClient(Options);
        var session = client.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync($"probe-line:{Guid.NewGuid():N}", "v"));
        await WaitForProbeConnectionAsync(client);

        var (queuedProbe, exported, exportTime) = await WhilePrimaryWriteIsHeldAsync(client, async () =>
        {
            session.MarkWritten(); // a write answered before the pause, announced now
            var clock = Stopwatch.StartNew();
            var token = await session.ExportAsync();
            return (token, clock.Elapsed);
        });

        output.WriteLine($"probe on the application's connection: {queuedProbe.TotalMilliseconds:0} ms; MarkWritten + ExportAsync: {exportTime.TotalMilliseconds:0} ms, token {exported}");
        Assert.True(queuedProbe >= Options.ReplicaTimeout, $"the setup must hold a probe on the application's connection (it took {queuedProbe})");
        Assert.True(RywToken.TryParse(exported, out var token, out _));
        Assert.False(token.IsOverflowed, $"the capture must not wait behind the held write: {exported}");
        Assert.False(session.HasPendingWrite);
        Assert.True(exportTime < Options.ReplicaTimeout, $"export took {exportTime}");
    }

    [Fact]
    public async Task ReadAsync_PrimaryPausedWithAnApplicationWriteQueued_ReadsTheCaughtUpReplicaInBound()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        using var client = servers.CreateLaggedClient(Options);
        RedisKey key = $"probe-line:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "written"));
        await WaitForProbeConnectionAsync(client);
        await servers.Servers.WaitForReplicasInSyncAsync(); // the replica holds the write: it can serve the read

        var (_, read, readTime) = await WhilePrimaryWriteIsHeldAsync(client, async () =>
        {
            writer.MarkWritten();
            var reader = client.CreateSession(await writer.ExportAsync()); // the next invocation
            var clock = Stopwatch.StartNew();
            var value = await reader.ReadAsync(db => db.StringGetAsync(key));
            return (value, clock.Elapsed);
        });

        output.WriteLine($"read during the pause: {readTime.TotalMilliseconds:0} ms (bound {ReadBound.TotalMilliseconds:0}), {client.Statistics}");
        Assert.Equal("written", read);
        Assert.True(readTime < ReadBound, $"the read waited behind the held write for {readTime}");
    }

    [Fact]
    public async Task Acquire_ManyClientsOverOneConnection_OneProbeConnectionClosedWithTheLast()
    {
        var name = $"many-clients-{Guid.NewGuid():N}"; // counts this test's connections only
        var primary = servers.Connect($"{servers.PrimaryEndPoint},name={name}");
        var replica = servers.Connect(servers.PromptReplicaEndPoint);
        var clients = Enumerable.Range(0, 20).Select(_ => new RywClient(primary, [replica], Options)).ToList();
        foreach (var client in clients)
        {
            await WaitForProbeConnectionAsync(client);
        }

        var open = await ProbeConnectionsAsync(name);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        var closed = await Eventually.WithinAsync(async () => await ProbeConnectionsAsync(name) == 0, TimeSpan.FromSeconds(5));
        output.WriteLine($"probe connections with 20 clients: {open}; after disposing them: {(closed ? 0 : "still open")}");
        Assert.Equal(1, open);
        Assert.True(closed, "the last client's disposal closes the probe connection");
    }

    [Fact]
    public async Task ProbeAsync_AnotherHistoryOrNoneKnown_LeavesTheProbeToTheApplicationConnection()
    {
        var application = servers.Connect(servers.PrimaryEndPoint);
        var (history, _) = await ServerExtensions.ReadReplicationAsync(servers.PrimaryEndPoint);
        var connection = PrimaryProbeConnection.Acquire(application, PointedAt, NullLogger.Instance);
        try
        {
            var script = ProbeScript.ForReplication();
            Assert.True(await Eventually.WithinAsync(async () => await connection.ProbeAsync(script, history) is (true, not null), TimeSpan.FromSeconds(5)), "the probe connection answers for its history");
            Assert.False((await connection.ProbeAsync(script, new string('1', 40))).Decided); // a primary of another history: not believed
            Assert.False((await connection.ProbeAsync(script, history: null)).Decided); // nothing known yet: the application's connection first
        }
        finally
        {
            connection.Release();
        }
    }

    private static ConfigurationOptions PointedAt(System.Net.EndPoint endPoint)
    {
        var configuration = new ConfigurationOptions { AbortOnConnectFail = false, ClientName = "test" + RywClient.ProbeConnectionNameSuffix };
        configuration.EndPoints.Add(endPoint);
        return configuration;
    }

    /// <summary>
    /// Pauses the primary's writes with an application write queued on the client's primary connection, measures a
    /// probe sent on that connection (the defect this guards against), then runs <paramref name="during"/>.
    /// </summary>
    private async Task<(TimeSpan QueuedProbe, T Result, TimeSpan Elapsed)> WhilePrimaryWriteIsHeldAsync<T>(RywClient client, Func<Task<(T, TimeSpan)>> during)
    {
        await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "CLIENT", "PAUSE", ((int)Pause.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "WRITE");
        try
        {
            var database = client.PrimaryConnection.GetDatabase();
            var held = database.StringSetAsync($"probe-line:another-invocation:{Guid.NewGuid():N}", 1); // held by the pause
            var (result, elapsed) = await during();
            var clock = Stopwatch.StartNew();
            var queued = ReplicationProbe.ProbeAsync(database, ProbeScript.ForReplication());
            var queuedTime = await Task.WhenAny(queued, Task.Delay(Options.ReplicaTimeout * 2)) == queued ? clock.Elapsed : Options.ReplicaTimeout * 2;
            await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "CLIENT", "UNPAUSE");
            await held;
            await queued;
            return (queuedTime, result, elapsed);
        }
        finally
        {
            await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "CLIENT", "UNPAUSE");
        }
    }

    /// <summary>Waits until the client's probes go over its own connection (it opens in the background).</summary>
    private static async Task WaitForProbeConnectionAsync(RywClient client) =>
        Assert.True(await Eventually.WithinAsync(() => client.ProbeConnection?.IsConnected == true, TimeSpan.FromSeconds(5)), "the probe connection opened");

    private async Task<int> ProbeConnectionsAsync(string applicationName)
    {
        var list = await RespClient.ExecuteAsync(servers.PrimaryEndPoint, "CLIENT", "LIST") ?? string.Empty;
        return list.Split('\n').Count(line => line.Contains($" name={applicationName}{RywClient.ProbeConnectionNameSuffix} ", StringComparison.Ordinal));
    }
}
