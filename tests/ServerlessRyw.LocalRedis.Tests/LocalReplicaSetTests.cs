using System.Diagnostics;
using Xunit.Abstractions;

namespace ServerlessRyw.LocalRedis.Tests;

public sealed class LocalReplicaSetTests
{
    private readonly ITestOutputHelper _output;

    public LocalReplicaSetTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task StartAsync_TwoReplicas_WritesReachEveryReplica()
    {
        var started = Stopwatch.StartNew();
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 2);
        _output.WriteLine($"primary + 2 replicas attached and in sync after {started.ElapsedMilliseconds} ms");

        Assert.Equal(2, set.Replicas.Count);
        Assert.Null(set.LagProxy);
        foreach (RedisServerProcess replica in set.Replicas)
        {
            IReadOnlyDictionary<string, string> info = await ReplicationInfoAsync(replica);
            Assert.Equal("slave", info["role"]);
            Assert.Equal(set.Primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), info["master_port"]);
        }

        await RespClient.ExecuteAsync(set.Primary.EndPoint, "SET", "k", "v");
        await set.WaitForReplicasInSyncAsync();

        foreach (RedisServerProcess replica in set.Replicas)
        {
            Assert.Equal("v", await RespClient.ExecuteAsync(replica.EndPoint, "GET", "k"));
        }
    }

    [Fact]
    public async Task StartAsync_LaggedReplica_SeesWriteOnlyAfterTheDelay()
    {
        TimeSpan lag = TimeSpan.FromMilliseconds(200);
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: lag);
        Assert.NotNull(set.LagProxy);
        Assert.Equal(set.LagProxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), (await ReplicationInfoAsync(set.Replicas[0]))["master_port"]);
        await using RespConnection primary = await RespConnection.ConnectAsync(set.Primary.EndPoint);
        await using RespConnection replica = await RespConnection.ConnectAsync(set.Replicas[0].EndPoint);

        var visibleAfter = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            // Timed from before the write is sent, and each read counted at its reply, so a slow test thread can
            // only make the write look later, never earlier.
            string key = $"lag:{i}";
            long writing = Stopwatch.GetTimestamp();
            await primary.ExecuteAsync("SET", key, "v");

            await Task.Delay(lag / 4);
            string? early = await replica.ExecuteAsync("GET", key);
            if (Stopwatch.GetElapsedTime(writing) < lag)
            {
                Assert.Null(early);
            }

            while (await replica.ExecuteAsync("GET", key) is null)
            {
                Assert.True(Stopwatch.GetElapsedTime(writing) < lag * 3, $"The write was not visible on the lagged replica within {lag * 3}.");
            }

            visibleAfter.Add(Stopwatch.GetElapsedTime(writing).TotalMilliseconds);
        }

        _output.WriteLine($"lag {lag.TotalMilliseconds} ms: visible after {string.Join(", ", visibleAfter.Select(ms => ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        Assert.All(visibleAfter, ms => Assert.InRange(ms, lag.TotalMilliseconds - 1, lag.TotalMilliseconds * 3));
    }

    [Fact]
    public async Task SetLag_ZeroThenRaised_ChangesHowLongTheReplicaTrails()
    {
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: TimeSpan.Zero);
        await using RespConnection primary = await RespConnection.ConnectAsync(set.Primary.EndPoint);
        await using RespConnection replica = await RespConnection.ConnectAsync(set.Replicas[0].EndPoint);

        double fast = await TimeUntilVisibleAsync(primary, replica, "fast");
        set.SetLag(TimeSpan.FromMilliseconds(150));
        double slow = await TimeUntilVisibleAsync(primary, replica, "slow");

        _output.WriteLine($"no lag: {fast:0.00} ms, 150 ms lag: {slow:0.0} ms");
        Assert.InRange(fast, 0, 149);
        Assert.InRange(slow, 149, 450);
    }

    [Fact]
    public async Task SetLag_NoLaggedReplica_Throws()
    {
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1);

        Assert.Throws<InvalidOperationException>(() => set.SetLag(TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public async Task CutConnections_WhilePaused_ReplicaReportsLinkDownThenReattaches()
    {
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: TimeSpan.Zero);
        DelayingTcpProxy proxy = set.LagProxy!;
        RedisServerProcess replica = set.Replicas[0];

        proxy.Paused = true;
        Assert.Equal(1, proxy.CutConnections());
        await WaitForLinkStatusAsync(replica, "down");
        await RespClient.ExecuteAsync(set.Primary.EndPoint, "SET", "during-cut", "v");
        Assert.Null(await RespClient.ExecuteAsync(replica.EndPoint, "GET", "during-cut"));

        var reattach = Stopwatch.StartNew();
        proxy.Paused = false;
        await set.WaitForReplicasInSyncAsync(TimeSpan.FromSeconds(10));
        _output.WriteLine($"replica reattached {reattach.ElapsedMilliseconds} ms after the proxy resumed");

        Assert.Equal("v", await RespClient.ExecuteAsync(replica.EndPoint, "GET", "during-cut"));
    }

    [Fact]
    public async Task RestartAsync_KilledReplica_RejoinsAndResyncs()
    {
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1);
        RedisServerProcess replica = set.Replicas[0];

        replica.Kill();
        await RespClient.ExecuteAsync(set.Primary.EndPoint, "SET", "while-down", "v");
        await replica.RestartAsync();
        await set.WaitForReplicasInSyncAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("v", await RespClient.ExecuteAsync(replica.EndPoint, "GET", "while-down"));
    }

    [Fact]
    public async Task WaitForReplicasInSyncAsync_ReplicaNeverCatchesUp_ThrowsTimeoutWithInfo()
    {
        await using LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: TimeSpan.Zero);
        set.LagProxy!.Paused = true;
        set.LagProxy.CutConnections();
        await WaitForLinkStatusAsync(set.Replicas[0], "down");
        await RespClient.ExecuteAsync(set.Primary.EndPoint, "SET", "k", "v");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => set.WaitForReplicasInSyncAsync(TimeSpan.FromMilliseconds(300)));

        Assert.Contains(set.Replicas[0].EndPoint, timeout.Message, StringComparison.Ordinal);
        Assert.Contains("master_link_status:down", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_ReplicaSet_StopsEveryServer()
    {
        LocalReplicaSet set = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: TimeSpan.FromMilliseconds(10));
        RedisServerProcess[] servers = [set.Primary, .. set.Replicas];

        await set.DisposeAsync();

        Assert.All(servers, s => Assert.False(s.IsRunning));
        Assert.Equal(0, set.LagProxy!.ConnectionCount);
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReplicationInfoAsync(RedisServerProcess server) =>
        RedisInfo.Parse(await RespClient.ExecuteAsync(server.EndPoint, "INFO", "replication"));

    private static async Task WaitForLinkStatusAsync(RedisServerProcess replica, string status)
    {
        var limit = Stopwatch.StartNew();
        while ((await ReplicationInfoAsync(replica)).GetValueOrDefault("master_link_status") != status)
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(5), $"master_link_status never became {status}.");
            await Task.Delay(5);
        }
    }

    private static async Task<double> TimeUntilVisibleAsync(RespConnection primary, RespConnection replica, string key)
    {
        long written = Stopwatch.GetTimestamp();
        await primary.ExecuteAsync("SET", key, "v");
        while (await replica.ExecuteAsync("GET", key) is null)
        {
            Assert.True(Stopwatch.GetElapsedTime(written) < TimeSpan.FromSeconds(2), "The write never reached the replica.");
        }

        return Stopwatch.GetElapsedTime(written).TotalMilliseconds;
    }
}
