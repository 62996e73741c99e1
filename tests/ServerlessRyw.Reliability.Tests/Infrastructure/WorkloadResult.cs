using System.Collections.Concurrent;
using System.Globalization;

namespace ServerlessRyw.Reliability.Tests.Infrastructure;

/// <summary>What a <see cref="ChainWorkload"/> run saw, with the client's counters for the same period.</summary>
public sealed class WorkloadResult
{
    private const int MaxNotes = 25;
    private readonly ConcurrentQueue<string> _notes = new();
    private long _maxAnsweredTicks;
    private long _maxFailedTicks;

    private long _invocations;
    private long _reads;
    private long _staleReads;
    private long _slowReads;
    private long _toolkitExceptions;
    private long _redisFailures;

    public long Invocations => Interlocked.Read(ref _invocations);

    public long Reads => Interlocked.Read(ref _reads);

    public long StaleReads => Interlocked.Read(ref _staleReads);

    public long SlowReads => Interlocked.Read(ref _slowReads);

    public long ToolkitExceptions => Interlocked.Read(ref _toolkitExceptions);

    public long RedisFailures => Interlocked.Read(ref _redisFailures);

    public RywStatistics Statistics { get; set; }

    /// <summary>The slowest read that returned a value.</summary>
    public TimeSpan MaxRead => TimeSpan.FromTicks(Interlocked.Read(ref _maxAnsweredTicks));

    /// <summary>The slowest read that failed the way StackExchange.Redis fails (primary down).</summary>
    public TimeSpan MaxFailedRead => TimeSpan.FromTicks(Interlocked.Read(ref _maxFailedTicks));

    public IEnumerable<string> Notes => _notes;

    public void AddInvocation() => Interlocked.Increment(ref _invocations);

    public void AddStale() => Interlocked.Increment(ref _staleReads);

    public void AddToolkitException() => Interlocked.Increment(ref _toolkitExceptions);

    public void AddRedisFailure() => Interlocked.Increment(ref _redisFailures);

    /// <summary>Counts a read and its time; reads over <paramref name="limit"/> count as slow.</summary>
    public bool AddRead(TimeSpan elapsed, bool answered, TimeSpan limit)
    {
        Interlocked.Increment(ref _reads);
        if (answered)
        {
            RaiseTo(ref _maxAnsweredTicks, elapsed.Ticks);
        }
        else
        {
            RaiseTo(ref _maxFailedTicks, elapsed.Ticks);
        }

        if (elapsed <= limit)
        {
            return false;
        }

        Interlocked.Increment(ref _slowReads);
        return true;
    }

    public void Note(string note)
    {
        if (_notes.Count < MaxNotes)
        {
            _notes.Enqueue(note);
        }
    }

    private static void RaiseTo(ref long max, long ticks)
    {
        long current;
        while (ticks > (current = Interlocked.Read(ref max)) && Interlocked.CompareExchange(ref max, ticks, current) != current)
        {
        }
    }

    public override string ToString()
    {
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"invocations={Invocations} reads={Reads} stale={StaleReads} slow={SlowReads} toolkitExceptions={ToolkitExceptions} redisFailures={RedisFailures} maxRead={MaxRead.TotalMilliseconds:0.0}ms maxFailedRead={MaxFailedRead.TotalMilliseconds:0.0}ms | {Statistics}");
        return _notes.IsEmpty ? summary : summary + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", _notes);
    }
}
