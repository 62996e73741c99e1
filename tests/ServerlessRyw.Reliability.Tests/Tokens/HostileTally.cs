using System.Collections.Concurrent;
using System.Globalization;

namespace ServerlessRyw.Reliability.Tests.Tokens;

/// <summary>What a run of hostile cases saw: counts, the slowest answer, and the first failures in detail.</summary>
public sealed class HostileTally
{
    private const int MaxFailures = 30;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _categories = new();
    private long _cases;
    private long _fresh;
    private long _stale;
    private long _slow;
    private long _escaped;
    private long _miscounted;
    private long _pinned;
    private long _rejected;
    private long _maxTicks;
    private long _failureCount;

    public long Cases => Interlocked.Read(ref _cases);

    public long MustBeFresh => Interlocked.Read(ref _fresh);

    public long Stale => Interlocked.Read(ref _stale);

    public long Slow => Interlocked.Read(ref _slow);

    public long Escaped => Interlocked.Read(ref _escaped);

    public long Miscounted => Interlocked.Read(ref _miscounted);

    public long Pinned => Interlocked.Read(ref _pinned);

    /// <summary>Rejections the client counted (all reasons).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public TimeSpan MaxWait => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    public long Failures => Interlocked.Read(ref _failureCount);

    public IReadOnlyDictionary<string, int> Categories => _categories;

    public void Case(HostileCase hostile, bool mustBeFresh, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _cases);
        _categories.AddOrUpdate(hostile.Category, 1, static (_, n) => n + 1);
        if (mustBeFresh)
        {
            Interlocked.Increment(ref _fresh);
        }

        long current;
        while (elapsed.Ticks > (current = Interlocked.Read(ref _maxTicks))
               && Interlocked.CompareExchange(ref _maxTicks, elapsed.Ticks, current) != current)
        {
        }
    }

    public void AddRejected(long count) => Interlocked.Add(ref _rejected, count);

    public void StaleRead(HostileCase hostile, string detail) => Fail(ref _stale, hostile, "stale: " + detail);

    public void SlowRead(HostileCase hostile, TimeSpan elapsed) =>
        Fail(ref _slow, hostile, string.Create(CultureInfo.InvariantCulture, $"slow: {elapsed.TotalMilliseconds:0} ms"));

    public void Escape(HostileCase hostile, Exception exception) => Fail(ref _escaped, hostile, "exception reached the function: " + exception);

    public void Miscount(HostileCase hostile, string detail) => Fail(ref _miscounted, hostile, "counters: " + detail);

    public void Pin(HostileCase hostile, string detail) => Fail(ref _pinned, hostile, "pinned to the primary: " + detail);

    public void Other(HostileCase hostile, string detail)
    {
        Interlocked.Increment(ref _failureCount);
        Note(hostile, detail);
    }

    public string Summary() => string.Create(
        CultureInfo.InvariantCulture,
        $"cases={Cases} mustBeFresh={MustBeFresh} stale={Stale} slow={Slow} escaped={Escaped} miscounted={Miscounted} pinned={Pinned} rejectedCounted={Rejected} maxWait={MaxWait.TotalMilliseconds:0.0}ms failures={Failures}")
        + Environment.NewLine + "categories: " + string.Join(", ", _categories.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))
        + (_failures.IsEmpty ? string.Empty : Environment.NewLine + string.Join(Environment.NewLine, _failures));

    private void Fail(ref long counter, HostileCase hostile, string detail)
    {
        Interlocked.Increment(ref counter);
        Interlocked.Increment(ref _failureCount);
        Note(hostile, detail);
    }

    private void Note(HostileCase hostile, string detail)
    {
        if (_failures.Count < MaxFailures)
        {
            _failures.Enqueue($"  {hostile} -> {(detail.Length > 600 ? detail[..600] + "…" : detail)}");
        }
    }
}
