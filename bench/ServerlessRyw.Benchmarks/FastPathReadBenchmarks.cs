using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace ServerlessRyw.Benchmarks;

/// <summary>
/// A whole stateless read on the fast path against a raw StackExchange.Redis GET on the same replica: the
/// difference in allocations is what the toolkit adds per invocation (session, parsed token, async state).
/// </summary>
[MemoryDiagnoser]
public class FastPathReadBenchmarks
{
    private BenchmarkServers _servers = null!;
    private RywSession _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _servers = new BenchmarkServers();
        _session = _servers.Client.CreateSession(_servers.TokenText);
    }

    [GlobalCleanup]
    public void Cleanup() => _servers.Dispose();

    [Benchmark(Baseline = true)]
    public Task<RedisValue> RawReplicaGet() => _servers.RawReplica.StringGetAsync(BenchmarkServers.Key);

    /// <summary>What a stateless invocation does before its first read: a session from the incoming token text.</summary>
    [Benchmark]
    public RywSession SessionFromTokenText() => _servers.Client.CreateSession(_servers.TokenText);

    /// <summary>A stateless invocation's read: a new session from the token text, then the routed read.</summary>
    [Benchmark]
    public ValueTask<RedisValue> FastPathRead() => _servers.Client.CreateSession(_servers.TokenText).ReadAsync(_servers.Read);

    /// <summary>The routed read alone, on a session that already exists (its token checked against the primary once).</summary>
    [Benchmark]
    public ValueTask<RedisValue> FastPathReadExistingSession() => _session.ReadAsync(_servers.Read);
}
