using System.Collections.Concurrent;
using ServerlessRyw.Cli.Statistics;

namespace ServerlessRyw.Cli.Demo;

/// <summary>Where a read happened in a chain.</summary>
internal enum DemoHop
{
    /// <summary>GET /orders/{id} sent by the caller with the Ryw-Token header from the POST's response.</summary>
    HttpHop,

    /// <summary>The queue consumer, reading with the token from the message envelope.</summary>
    QueueHop,

    /// <summary>An HTTP call the queue consumer makes (the token goes out through the HttpClient handler).</summary>
    HttpFromConsumer,
}

/// <summary>One phase's tallies; written from request handlers and the consumer at the same time.</summary>
internal sealed class DemoRecorder
{
    private readonly long[] _reads = new long[3];
    private readonly long[] _stale = new long[3];
    private readonly ConcurrentQueue<double> _readMs = new();
    private readonly ConcurrentQueue<double> _chainMs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _chainsInFlight = new(StringComparer.Ordinal);

    /// <summary>Whether results count (false while warming up).</summary>
    public bool Recording { get; set; }

    public void RecordRead(DemoHop hop, bool stale, double elapsedMs)
    {
        if (!Recording)
        {
            return;
        }

        Interlocked.Increment(ref _reads[(int)hop]);
        if (stale)
        {
            Interlocked.Increment(ref _stale[(int)hop]);
        }

        _readMs.Enqueue(elapsedMs);
    }

    public void RecordChain(double elapsedMs)
    {
        if (Recording)
        {
            _chainMs.Enqueue(elapsedMs);
        }
    }

    /// <summary>A task the queue consumer completes when it has handled the chain's message.</summary>
    public Task ExpectConsumer(string chainId) =>
        _chainsInFlight.GetOrAdd(chainId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void ConsumerDone(string chainId, Exception? failure)
    {
        if (_chainsInFlight.TryRemove(chainId, out var done))
        {
            if (failure is null)
            {
                done.SetResult();
            }
            else
            {
                done.SetException(failure);
            }
        }
    }

    public DemoPhaseResult Result(string name, RywMode mode, RywStatistics reads) => new(
        name,
        mode,
        [.. _reads],
        [.. _stale],
        LatencySummary.From([.. _readMs]),
        LatencySummary.From([.. _chainMs]),
        Ratio.Share(reads.ReplicaReads, reads.Reads));
}

/// <summary>What one phase of the demo saw.</summary>
internal sealed record DemoPhaseResult(
    string Name, RywMode Mode, long[] ReadsByHop, long[] StaleByHop, LatencySummary ReadLatency, LatencySummary ChainLatency, double ReplicaShare)
{
    public long Reads => ReadsByHop.Sum();

    public long StaleReads => StaleByHop.Sum();
}
