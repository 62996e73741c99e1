using BenchmarkDotNet.Attributes;
using ServerlessRyw.Routing;

namespace ServerlessRyw.Benchmarks;

/// <summary>The fast-path routing decision: it runs on every read and must allocate nothing.</summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private BenchmarkServers _servers = null!;
    private ReplicationState _state = null!;
    private RywToken _token;

    [GlobalSetup]
    public void Setup()
    {
        _servers = new BenchmarkServers();
        _token = _servers.Token;
        _state = _servers.Client.ReplicaNodes[0].Known!;
    }

    [GlobalCleanup]
    public void Cleanup() => _servers.Dispose();

    /// <summary>Which replica already covers the token (round robin over two replicas).</summary>
    [Benchmark]
    public object? FindCoveringReplica() => _servers.Client.Replicas.FindCovering(new TokenRequirement(_token), _servers.Client.Policy);

    /// <summary>Whether one replica's known position covers the token.</summary>
    [Benchmark]
    public bool StateCoversToken() => _state.Covers(_token);
}
