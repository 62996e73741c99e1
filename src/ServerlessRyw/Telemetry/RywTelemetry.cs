using System.Diagnostics.Metrics;

namespace ServerlessRyw;

/// <summary>
/// Counts every routing outcome twice: in lock-free process counters (<see cref="RywClient.Statistics"/>, cheap to
/// read in tests and benchmarks) and in <see cref="System.Diagnostics.Metrics"/> instruments for operators.
/// </summary>
internal sealed class RywTelemetry : IDisposable
{
    /// <summary>The meter's name: subscribe to it with OpenTelemetry's <c>AddMeter("ServerlessRyw")</c>.</summary>
    public const string MeterName = "ServerlessRyw";

    internal static readonly int OutcomeCount = Enum.GetValues<RywReadOutcome>().Length;
    internal static readonly int RejectionCount = Enum.GetValues<RywTokenRejection>().Length;

    private static readonly string[] OutcomeTags = Enum.GetValues<RywReadOutcome>().Select(ToSnakeCase).ToArray();
    private static readonly string[] RejectionTags = Enum.GetValues<RywTokenRejection>().Select(ToSnakeCase).ToArray();

    private readonly long[] _outcomes = new long[OutcomeCount];
    private readonly long[] _rejections = new long[RejectionCount];
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _reads;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _writes;
    private readonly Counter<long> _probeFailures;
    private readonly Counter<long> _overflows;
    private readonly Histogram<double> _wait;
    private long _writeCount;
    private long _probeFailureCount;
    private long _overflowCount;
    private long _waitTicks;

    public RywTelemetry(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _reads = _meter.CreateCounter<long>("ryw.reads", "{read}", "Routed reads by outcome (tag ryw.outcome).");
        _rejected = _meter.CreateCounter<long>(
            "ryw.tokens.rejected", "{token}", "Incoming tokens rejected or corrected (tag ryw.reason).");
        _writes = _meter.CreateCounter<long>("ryw.writes", "{write}", "Writes whose token was captured.");
        _probeFailures = _meter.CreateCounter<long>(
            "ryw.probe.failures", "{probe}", "Offset probes that failed and fell back safely.");
        _overflows = _meter.CreateCounter<long>(
            "ryw.tokens.overflowed", "{token}", "Sessions whose token reached the position limit; their reads required each shard primary's current position.");
        _wait = _meter.CreateHistogram<double>(
            "ryw.read.wait", "ms", "Time a read waited for a replica to catch up (the read-your-writes tax).");
    }

    public RywStatistics Snapshot()
    {
        var outcomes = new long[OutcomeCount];
        var rejections = new long[RejectionCount];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = Volatile.Read(ref _outcomes[i]);
        }

        for (var i = 0; i < rejections.Length; i++)
        {
            rejections[i] = Volatile.Read(ref _rejections[i]);
        }

        return new RywStatistics(
            outcomes,
            rejections,
            Volatile.Read(ref _writeCount),
            Volatile.Read(ref _probeFailureCount),
            TimeSpan.FromTicks(Volatile.Read(ref _waitTicks)),
            Volatile.Read(ref _overflowCount));
    }

    public void RecordRead(RywReadOutcome outcome, TimeSpan waited)
    {
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        if (_reads.Enabled)
        {
            _reads.Add(1, new KeyValuePair<string, object?>("ryw.outcome", OutcomeTags[(int)outcome]));
        }

        if (waited > TimeSpan.Zero)
        {
            Interlocked.Add(ref _waitTicks, waited.Ticks);
            _wait.Record(waited.TotalMilliseconds);
        }
    }

    public void RecordRejection(RywTokenRejection reason)
    {
        Interlocked.Increment(ref _rejections[(int)reason]);
        _rejected.Add(1, new KeyValuePair<string, object?>("ryw.reason", RejectionTags[(int)reason]));
    }

    public void RecordWrite()
    {
        Interlocked.Increment(ref _writeCount);
        _writes.Add(1);
    }

    public void RecordOverflow()
    {
        Interlocked.Increment(ref _overflowCount);
        _overflows.Add(1);
    }

    /// <summary>Counts a probe that failed; <paramref name="timedOut"/> when it hit the toolkit's deadline (tag <c>ryw.reason</c>).</summary>
    public void RecordProbeFailure(bool timedOut = false)
    {
        Interlocked.Increment(ref _probeFailureCount);
        _probeFailures.Add(1, new KeyValuePair<string, object?>("ryw.reason", timedOut ? "timeout" : "error"));
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string ToSnakeCase<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
