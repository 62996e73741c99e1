using ServerlessRyw.LocalRedis;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Benchmarks;

/// <summary>
/// A local primary with replicas (two unless told; redis-server on PATH, no delaying proxy, so no lag) and a
/// token-mode client whose replicas are all known to cover <see cref="Token"/>: the state in which reads take the
/// fast path.
/// </summary>
internal sealed class BenchmarkServers : IDisposable
{
    public const string Key = "bench:key";

    private readonly LocalReplicaSet _servers;
    private readonly ConnectionMultiplexer _primary;
    private readonly ConnectionMultiplexer[] _replicas;

    public BenchmarkServers(int replicas = 2)
    {
        _servers = LocalReplicaSet.StartAsync(replicas).GetAwaiter().GetResult();
        _primary = ConnectionMultiplexer.Connect(_servers.Primary.EndPoint);
        _replicas = [.. _servers.Replicas.Select(r => ConnectionMultiplexer.Connect(r.EndPoint))];
        // The positions probed below must stay trusted for the whole run, or the fast path would quietly turn
        // into the probe path once the default one-second lifetime passed.
        Client = new RywClient(_primary, _replicas, new RywOptions { KnownPositionLifetime = TimeSpan.FromMinutes(5) });
        RawPrimary = _primary.GetDatabase();
        RawReplica = _replicas[0].GetDatabase();
        Read = db => db.StringGetAsync(Key);

        var writer = Client.CreateSession();
        writer.WriteAsync(db => db.StringSetAsync(Key, "value")).GetAwaiter().GetResult();
        Token = writer.GetTokenAsync().AsTask().GetAwaiter().GetResult();
        TokenText = Token.ToString();
        _servers.WaitForReplicasInSyncAsync().GetAwaiter().GetResult();

        // Probe every replica once, as a read would, so each is known to cover the token (a routed read only
        // probes until one replica covers it; after that it keeps to the replicas already known to).
        foreach (var node in Client.ReplicaNodes)
        {
            if (ReplicationProbe.ProbeAsync(node.Database, node.Script).GetAwaiter().GetResult() is { } state)
            {
                node.Observe(state, Client.Policy.Time.GetTimestamp());
            }

            if (node.Known is not { } known || !known.Covers(Token))
            {
                throw new InvalidOperationException($"Replica {node.Name} is not known to cover the token; the fast path would not be measured.");
            }
        }
    }

    public RywClient Client { get; }

    /// <summary>The primary through the same connection the client writes on: raw, probe-less writes.</summary>
    public IDatabase RawPrimary { get; }

    /// <summary>The first replica through the same connection the client reads it on.</summary>
    public IDatabase RawReplica { get; }

    public RywToken Token { get; }

    public string TokenText { get; }

    public Func<IDatabaseAsync, Task<RedisValue>> Read { get; }

    public void Dispose()
    {
        Client.Dispose();
        _primary.Dispose();
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        _servers.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
