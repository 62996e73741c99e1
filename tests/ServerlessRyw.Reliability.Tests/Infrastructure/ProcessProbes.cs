using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Reliability.Tests.Infrastructure;

/// <summary>Client connections a server reports (<c>CLIENT LIST</c>), without replication links and without the asking connection.</summary>
public static class ClientConnections
{
    public static async Task<int> CountAsync(string endPoint)
    {
        var list = await RespClient.ExecuteAsync(endPoint, "CLIENT", "LIST") ?? string.Empty;
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]))
            .Count(fields => !fields.GetValueOrDefault("flags", string.Empty).Contains('S', StringComparison.Ordinal)
                && !fields.GetValueOrDefault("flags", string.Empty).Contains('M', StringComparison.Ordinal)
                && fields.GetValueOrDefault("cmd") != "client|list");
    }

    public static async Task<string> DescribeAsync(IEnumerable<string> endPoints)
    {
        var counts = new List<string>();
        foreach (var endPoint in endPoints)
        {
            counts.Add($"{endPoint}={await CountAsync(endPoint)}");
        }

        return string.Join(", ", counts);
    }
}

/// <summary>
/// Measures how late thread-pool work starts, from a dedicated thread (which starvation cannot delay): a starved pool
/// shows as work items waiting hundreds of milliseconds or seconds for a thread.
/// </summary>
public sealed class StarvationMonitor : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private long _maxTicks;
    private long _samples;

    public StarvationMonitor()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "starvation monitor" };
        _thread.Start();
    }

    /// <summary>The longest a work item waited for a pool thread.</summary>
    public TimeSpan MaxDelay => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    public long Samples => Interlocked.Read(ref _samples);

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"max pool delay {MaxDelay.TotalMilliseconds:0.0} ms over {Samples} samples");

    private void Run()
    {
        using var started = new ManualResetEventSlim();
        while (!_stop.Wait(Interval))
        {
            started.Reset();
            var queuedAt = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((ManualResetEventSlim)s!).Set(), started);
            while (!started.Wait(Interval))
            {
                Record(Stopwatch.GetElapsedTime(queuedAt));
                if (_stop.IsSet)
                {
                    return;
                }
            }

            Record(Stopwatch.GetElapsedTime(queuedAt));
        }
    }

    private void Record(TimeSpan delay)
    {
        Interlocked.Increment(ref _samples);
        long current;
        while (delay.Ticks > (current = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, delay.Ticks, current) != current)
        {
        }
    }
}
