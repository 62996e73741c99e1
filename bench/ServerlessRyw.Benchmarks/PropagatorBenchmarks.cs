using BenchmarkDotNet.Attributes;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Benchmarks;

/// <summary>What a carrier pays per hop: the token in and out of headers, and in and out of a queue message body.</summary>
[MemoryDiagnoser]
public class PropagatorBenchmarks
{
    private const string ReplicationId = "8c3f0e2b9d4a41f7a3c5e6d7f8091a2b3c4d5e6f";
    private static readonly Func<Dictionary<string, string[]>, string, IEnumerable<string>?> Getter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? values : null;

    private static readonly Action<Dictionary<string, string[]>, string, string> Setter =
        static (headers, name, value) => headers[name] = [value];

    private readonly Dictionary<string, string[]> _incoming = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string[]> _outgoing = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string[]> _withoutToken = new(StringComparer.OrdinalIgnoreCase);
    private RywToken _token;
    private string _jsonBody = null!;
    private string _stampedJson = null!;
    private string _textBody = null!;

    [GlobalSetup]
    public void Setup()
    {
        _token = RywToken.FromPosition(new ReplicationPosition(ReplicationId, 4_242_424), DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_000_000));
        _incoming[RywHeaderNames.Token] = [_token.ToString()];
        _incoming["traceparent"] = ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"];
        _withoutToken["traceparent"] = _incoming["traceparent"];
        _jsonBody = """{"orderId":42,"status":"paid","lines":[{"sku":"A-1","qty":2}]}""";
        _stampedJson = RywQueueEnvelope.Stamp(_jsonBody, _token);
        _textBody = "order 42 paid";
    }

    [Benchmark]
    public RywToken ExtractHeader() => RywPropagator.Default.Extract(_incoming, Getter).Token;

    /// <summary>The common case for a first invocation: no token on the request.</summary>
    [Benchmark]
    public RywToken ExtractNoHeader() => RywPropagator.Default.Extract(_withoutToken, Getter).Token;

    [Benchmark]
    public int InjectHeader()
    {
        RywPropagator.Default.Inject(_token, _outgoing, Setter);
        return _outgoing.Count;
    }

    [Benchmark]
    public string StampJsonMessage() => RywQueueEnvelope.Stamp(_jsonBody, _token);

    [Benchmark]
    public string StampTextMessage() => RywQueueEnvelope.Stamp(_textBody, _token);

    [Benchmark]
    public RywToken UnwrapJsonMessage() => RywQueueEnvelope.Unwrap(_stampedJson).Token;
}
