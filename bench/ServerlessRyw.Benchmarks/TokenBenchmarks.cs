using BenchmarkDotNet.Attributes;

namespace ServerlessRyw.Benchmarks;

/// <summary>What a carrier pays per hop for the token itself: parse the incoming text, merge, format the outgoing text.</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private const string ReplicationId = "8c3f0e2b9d4a41f7a3c5e6d7f8091a2b3c4d5e6f";
    private readonly char[] _buffer = new char[RywToken.MaxLength];
    private string _text = null!;
    private RywToken _token;
    private RywToken _older;
    private RywToken _newer;

    [GlobalSetup]
    public void Setup()
    {
        var writtenAt = DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_000_000);
        _token = RywToken.FromPosition(new ReplicationPosition(ReplicationId, 4_242_424), writtenAt);
        _older = RywToken.FromPosition(new ReplicationPosition(ReplicationId, 1_000), writtenAt);
        _newer = RywToken.FromPosition(new ReplicationPosition(ReplicationId, 2_000), writtenAt.AddSeconds(1));
        _text = _token.ToString();
    }

    [Benchmark]
    public bool Parse() => RywToken.TryParse(_text.AsSpan(), out _, out _);

    [Benchmark]
    public bool ParseEmpty() => RywToken.TryParse(ReadOnlySpan<char>.Empty, out _, out _);

    [Benchmark]
    public int TryFormat() => _token.TryFormat(_buffer, out var written) ? written : -1;

    [Benchmark]
    public string FormatToString() => _token.ToString();

    /// <summary>The common case on a chain: the incoming token is already covered by the session's own.</summary>
    [Benchmark]
    public RywToken MergeCovered() => _newer.Merge(_older);

    [Benchmark]
    public RywToken MergeEmpty() => _newer.Merge(default);

    /// <summary>Same history, the other side is newer: a new token is built.</summary>
    [Benchmark]
    public RywToken MergeAdvances() => _older.Merge(_newer);
}
