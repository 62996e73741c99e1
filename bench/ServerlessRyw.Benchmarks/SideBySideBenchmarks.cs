using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ServerlessRyw.Propagation;
using StackExchange.Redis;

namespace ServerlessRyw.Benchmarks;

/// <summary>
/// The toolkit against raw StackExchange.Redis in one run, on the same connections to a local primary and one
/// replica with no lag: each category's baseline is the raw call, so the Allocated column's difference is what the
/// toolkit adds per call. <c>Read</c>: a fast-path read (the replica is already known to cover the session's
/// token) against a raw <c>GET</c> on that replica. <c>Write</c>: a write and its token export against a raw
/// <c>SET</c> with no probe. <c>Session</c>: what a stateless invocation does before its first command.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SideBySideBenchmarks
{
    private static readonly Func<Dictionary<string, string[]>, string, IEnumerable<string>?> Getter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? values : null;

    private static readonly Func<IDatabaseAsync, Task<bool>> Write = static db => db.StringSetAsync(BenchmarkServers.Key, "value");

    private readonly Dictionary<string, string[]> _headersWithoutToken = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"],
    };

    private BenchmarkServers _servers = null!;
    private RywSession _readSession = null!;
    private RywSession _writeSession = null!;

    [GlobalSetup]
    public void Setup()
    {
        _servers = new BenchmarkServers(replicas: 1);

        // One read first: the token that came in as text is checked against the primary once, and from then on
        // every read of this session takes the fast path (the replica is known to cover the token).
        _readSession = _servers.Client.CreateSession(_servers.TokenText);
        _ = _readSession.ReadAsync(_servers.Read).AsTask().GetAwaiter().GetResult();
        _writeSession = _servers.Client.CreateSession();
    }

    [GlobalCleanup]
    public void Cleanup() => _servers.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Read")]
    public Task<RedisValue> RawReplicaGet() => _servers.RawReplica.StringGetAsync(BenchmarkServers.Key);

    [Benchmark]
    [BenchmarkCategory("Read")]
    public ValueTask<RedisValue> ToolkitFastPathRead() => _readSession.ReadAsync(_servers.Read);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Write")]
    public Task<bool> RawPrimarySet() => _servers.RawPrimary.StringSetAsync(BenchmarkServers.Key, "value");

    /// <summary>The raw <c>SET</c> awaited inside an async method, as <see cref="ToolkitWriteAndExport"/> must be: its own state machine's share.</summary>
    [Benchmark]
    [BenchmarkCategory("Write")]
    public async Task<bool> RawPrimarySetAwaited() => await _servers.RawPrimary.StringSetAsync(BenchmarkServers.Key, "value");

    /// <summary>A write, its capture (one primary probe after the write was answered) and the token text a carrier sends on.</summary>
    [Benchmark]
    [BenchmarkCategory("Write")]
    public async Task<string> ToolkitWriteAndExport()
    {
        await _writeSession.WriteAsync(Write);
        return await _writeSession.ExportAsync();
    }

    [Benchmark]
    [BenchmarkCategory("Session")]
    public RywSession SessionFromTokenText() => _servers.Client.CreateSession(_servers.TokenText);

    /// <summary>A first invocation: a request with no token header, extracted into a new session.</summary>
    [Benchmark]
    [BenchmarkCategory("Session")]
    public RywSession SessionFromRequestWithoutToken()
    {
        var session = _servers.Client.CreateSession();
        _ = RywPropagator.Default.ExtractInto(session, _headersWithoutToken, Getter);
        return session;
    }

    /// <summary>The extraction alone, with no session.</summary>
    [Benchmark]
    [BenchmarkCategory("Session")]
    public RywToken ExtractWithoutToken() => RywPropagator.Default.Extract(_headersWithoutToken, Getter).Token;
}
