using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.Cluster.Tests.Infrastructure;

/// <summary>One shard as the fixture set it up: a primary and its replica (real ports).</summary>
public sealed record LocalShard(string PrimaryId, string PrimaryEndPoint, string ReplicaId, string ReplicaEndPoint, int FirstSlot);

/// <summary>
/// A real Redis Cluster on 127.0.0.1: six <c>redis-server --cluster-enabled yes</c> processes joined by
/// <c>redis-cli --cluster create --cluster-replicas 1</c> (three primaries, one replica each). The shard serving slot 0
/// announces a <see cref="ReplicationLagProxy"/> as its address, so its replica replicates <see cref="Lag"/> late.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    private readonly List<RedisServerProcess> _servers;

    private LocalCluster(List<RedisServerProcess> servers, ReplicationLagProxy proxy, IReadOnlyList<LocalShard> shards)
    {
        _servers = servers;
        LagProxy = proxy;
        Shards = shards;
    }

    public IReadOnlyList<LocalShard> Shards { get; }

    /// <summary>The shard whose replica lags (the one serving slot 0).</summary>
    public LocalShard LaggedShard => Shards[0];

    public ReplicationLagProxy LagProxy { get; }

    public TimeSpan Lag
    {
        get => LagProxy.Delay;
        set => LagProxy.Delay = value;
    }

    public IEnumerable<string> EndPoints => _servers.Select(static s => s.EndPoint);

    public static async Task<LocalCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var starting = Enumerable.Range(0, 6).Select(_ => RedisServerProcess.StartAsync(
            new RedisServerOptions
            {
                ExtraArguments = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"],
            },
            cancellationToken)).ToArray();
        var servers = new List<RedisServerProcess>();
        ReplicationLagProxy? proxy = null;
        try
        {
            foreach (var task in starting)
            {
                servers.Add(await task);
            }

            await RunRedisCliAsync(
                ["--cluster", "create", .. servers.Select(static s => s.EndPoint), "--cluster-replicas", "1", "--cluster-yes"],
                cancellationToken);
            await WaitAsync("cluster_state:ok on every node", async () =>
            {
                foreach (var server in servers)
                {
                    var info = await RespClient.ExecuteAsync(server.EndPoint, "CLUSTER", "INFO");
                    if (info is null || !info.Contains("cluster_state:ok", StringComparison.Ordinal) || !HasThreeShards(await RespClient.ExecuteAsync(server.EndPoint, "CLUSTER", "NODES")))
                    {
                        return false;
                    }
                }

                return true;
            }, cancellationToken);

            var shards = await ReadShardsAsync(servers[0].EndPoint, servers);
            var lagged = shards[0];
            proxy = new ReplicationLagProxy(lagged.PrimaryEndPoint);
            await RespClient.ExecuteAsync(lagged.PrimaryEndPoint, "CONFIG", "SET", "cluster-announce-port", proxy.Port.ToString(CultureInfo.InvariantCulture));

            // Every node learns the new address by gossip; the replica then reattaches through the proxy by itself.
            var announced = $"127.0.0.1:{proxy.Port}@";
            await WaitAsync("the lagged primary's new address everywhere", async () =>
            {
                foreach (var server in servers)
                {
                    var nodes = await RespClient.ExecuteAsync(server.EndPoint, "CLUSTER", "NODES");
                    if (nodes is null || !nodes.Split('\n').Any(l => l.StartsWith(lagged.PrimaryId, StringComparison.Ordinal) && l.Contains(announced, StringComparison.Ordinal)))
                    {
                        return false;
                    }
                }

                return true;
            }, cancellationToken);
            var polls = 0;
            await WaitAsync("the lagged replica replicating through the proxy", async () =>
            {
                var info = RedisInfo.Parse(await RespClient.ExecuteAsync(lagged.ReplicaEndPoint, "INFO", "replication"));
                if (info.GetValueOrDefault("master_port") != proxy.Port.ToString(CultureInfo.InvariantCulture))
                {
                    // Not reattached after a second: drop its link so it reconnects to the address it now knows.
                    if (++polls % 20 == 0)
                    {
                        await RespClient.ExecuteAsync(lagged.ReplicaEndPoint, "CLIENT", "KILL", "TYPE", "master");
                    }

                    return false;
                }

                return info.GetValueOrDefault("master_link_status") == "up" && proxy.ReplicationConnections > 0;
            }, cancellationToken);

            var cluster = new LocalCluster(servers, proxy, shards);
            await cluster.WaitForReplicasInSyncAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// The application's view: a cluster multiplexer seeded with the two prompt primaries. StackExchange.Redis notices
    /// a failover (and stops sending writes to the demoted primary) at its next configuration check.
    /// </summary>
    public ConnectionMultiplexer Connect(int configCheckSeconds = 60)
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = false, ConnectTimeout = 5000, SyncTimeout = 5000, ConfigCheckSeconds = configCheckSeconds };
        foreach (var shard in Shards.Skip(1))
        {
            options.EndPoints.Add(shard.PrimaryEndPoint);
        }

        return ConnectionMultiplexer.Connect(options);
    }

    public async Task WaitForReplicasInSyncAsync(CancellationToken cancellationToken = default)
    {
        foreach (var shard in Shards)
        {
            var primary = RedisInfo.Parse(await RespClient.ExecuteAsync(shard.PrimaryEndPoint, "INFO", "replication"));
            var target = long.Parse(primary["master_repl_offset"], CultureInfo.InvariantCulture);
            await WaitAsync($"replica {shard.ReplicaEndPoint} in sync", async () =>
            {
                var replica = RedisInfo.Parse(await RespClient.ExecuteAsync(shard.ReplicaEndPoint, "INFO", "replication"));
                return replica.GetValueOrDefault("master_link_status") == "up"
                    && long.TryParse(replica.GetValueOrDefault("slave_repl_offset"), CultureInfo.InvariantCulture, out var offset)
                    && offset >= target;
            }, cancellationToken);
        }
    }

    /// <summary>
    /// Moves <paramref name="slot"/> from <paramref name="from"/> to <paramref name="to"/> the way
    /// <c>redis-cli --cluster reshard</c> does: IMPORTING/MIGRATING, MIGRATE key by key (pausing between keys, so
    /// reads and writes meet the slot half moved), then SETSLOT NODE on every primary.
    /// </summary>
    public async Task MigrateSlotAsync(int slot, LocalShard from, LocalShard to, TimeSpan pauseBetweenKeys, CancellationToken cancellationToken = default)
    {
        var s = slot.ToString(CultureInfo.InvariantCulture);
        await RespClient.ExecuteAsync(to.PrimaryEndPoint, "CLUSTER", "SETSLOT", s, "IMPORTING", from.PrimaryId);
        await RespClient.ExecuteAsync(from.PrimaryEndPoint, "CLUSTER", "SETSLOT", s, "MIGRATING", to.PrimaryId);
        var (host, port) = Split(to.PrimaryEndPoint);
        while (true)
        {
            var keys = (await RespClient.ExecuteAsync(from.PrimaryEndPoint, "CLUSTER", "GETKEYSINSLOT", s, "5") ?? string.Empty)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (keys.Length == 0)
            {
                break;
            }

            foreach (var key in keys)
            {
                await RespClient.ExecuteAsync(from.PrimaryEndPoint, "MIGRATE", host, port, key, "0", "5000");
                await Task.Delay(pauseBetweenKeys, cancellationToken);
            }
        }

        await RespClient.ExecuteAsync(to.PrimaryEndPoint, "CLUSTER", "SETSLOT", s, "NODE", to.PrimaryId);
        await RespClient.ExecuteAsync(from.PrimaryEndPoint, "CLUSTER", "SETSLOT", s, "NODE", to.PrimaryId);
        foreach (var other in Shards.Where(x => x != from && x != to))
        {
            await RespClient.ExecuteAsync(other.PrimaryEndPoint, "CLUSTER", "SETSLOT", s, "NODE", to.PrimaryId);
        }
    }

    /// <summary>Waits until every node says <paramref name="slot"/> belongs to <paramref name="owner"/>.</summary>
    public Task WaitForSlotOwnerAsync(int slot, LocalShard owner, CancellationToken cancellationToken = default) =>
        WaitAsync($"slot {slot} on {owner.PrimaryEndPoint} everywhere", async () =>
        {
            foreach (var server in _servers)
            {
                var nodes = await RespClient.ExecuteAsync(server.EndPoint, "CLUSTER", "NODES") ?? string.Empty;
                var line = nodes.Split('\n').FirstOrDefault(l => l.StartsWith(owner.PrimaryId, StringComparison.Ordinal));
                if (line is null || !OwnsSlot(line, slot))
                {
                    return false;
                }
            }

            return true;
        }, cancellationToken);

    /// <summary>
    /// A manual failover (<c>CLUSTER FAILOVER</c> on <paramref name="promote"/>, a replica): it takes over its primary's
    /// slots without losing writes; waits until every node agrees and the demoted node replicates from it.
    /// </summary>
    public async Task FailoverAsync(string promote, string demote, CancellationToken cancellationToken = default)
    {
        await RespClient.ExecuteAsync(promote, "CLUSTER", "FAILOVER");
        var asked = Stopwatch.GetTimestamp();
        await WaitAsync($"{promote} promoted", async () =>
        {
            var promoted = RedisInfo.Parse(await RespClient.ExecuteAsync(promote, "INFO", "replication"));
            if (promoted.GetValueOrDefault("role") != "master" && Stopwatch.GetElapsedTime(asked) > TimeSpan.FromSeconds(6))
            {
                // A manual failover gives up after 5 s if the replica cannot catch up (a busy machine): ask again.
                await RespClient.ExecuteAsync(promote, "CLUSTER", "FAILOVER");
                asked = Stopwatch.GetTimestamp();
            }

            var demoted = RedisInfo.Parse(await RespClient.ExecuteAsync(demote, "INFO", "replication"));
            if (promoted.GetValueOrDefault("role") != "master" || demoted.GetValueOrDefault("master_link_status") != "up")
            {
                return false;
            }

            foreach (var server in _servers)
            {
                var info = await RespClient.ExecuteAsync(server.EndPoint, "CLUSTER", "INFO");
                if (info is null || !info.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await LagProxy.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Whether a node's view has three primaries serving slots, each with one attached replica.</summary>
    private static bool HasThreeShards(string? nodes)
    {
        var lines = (nodes ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(static l => l.Split(' ')).ToList();
        var primaries = lines.Where(static l => l.Length > 8 && l[2].Contains("master", StringComparison.Ordinal)).Select(static l => l[0]).ToList();
        return primaries.Count == 3 && primaries.All(id => lines.Count(l => l.Length > 3 && l[3] == id && l[2].Contains("slave", StringComparison.Ordinal)) == 1);
    }

    private static bool OwnsSlot(string nodeLine, int slot)
    {
        foreach (var part in nodeLine.Split(' ').Skip(8))
        {
            var range = part.Split('-');
            if (range.Length is 1 or 2
                && int.TryParse(range[0], CultureInfo.InvariantCulture, out var start)
                && int.TryParse(range[^1], CultureInfo.InvariantCulture, out var end)
                && slot >= start && slot <= end)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<IReadOnlyList<LocalShard>> ReadShardsAsync(string endPoint, List<RedisServerProcess> servers)
    {
        var lines = (await RespClient.ExecuteAsync(endPoint, "CLUSTER", "NODES") ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(static l => l.Split(' '))
            .ToList();
        string RealEndPoint(string address) => address[..address.IndexOf('@', StringComparison.Ordinal)];
        var shards = new List<LocalShard>();
        foreach (var primary in lines.Where(static l => l[2].Contains("master", StringComparison.Ordinal) && l.Length > 8))
        {
            var replica = lines.Single(l => l[3] == primary[0]);
            var firstSlot = int.Parse(primary[8].Split('-')[0], CultureInfo.InvariantCulture);
            shards.Add(new LocalShard(primary[0], RealEndPoint(primary[1]), replica[0], RealEndPoint(replica[1]), firstSlot));
        }

        Assert.Equal(3, shards.Count);
        Assert.All(shards, s => Assert.Contains(servers, server => server.EndPoint == s.PrimaryEndPoint));
        return [.. shards.OrderBy(static s => s.FirstSlot)];
    }

    private static (string Host, string Port) Split(string endPoint)
    {
        var colon = endPoint.LastIndexOf(':');
        return (endPoint[..colon], endPoint[(colon + 1)..]);
    }

    private static async Task RunRedisCliAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SetupTimeout);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }
    }

    private static async Task WaitAsync(string what, Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > SetupTimeout)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
