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
    private readonly ConcurrentQueue<(DemoHop Hop, string Id)> _misses = new();
    private readonly ConcurrentDictionary<string, string> _writes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<double> _readMs = new();
    private readonly ConcurrentQueue<double> _chainMs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _chainsInFlight = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _failedRequests;
    private double _slowestReplicaReadMs;

    /// <summary>Whether results count (false while warming up).</summary>
    public bool Recording { get; set; }

    /// <summary>Chains whose write was acknowledged, by chain id, with the value written.</summary>
    public IReadOnlyDictionary<string, string> Writes => _writes;

    public void RecordWrite(string chainId, string value)
    {
        if (Recording)
        {
            _writes[chainId] = value;
        }
    }

    /// <summary>A read; <paramref name="missed"/> when it did not return the chain's write (stale, or the write was lost).</summary>
    public void RecordRead(DemoHop hop, string chainId, bool missed, double elapsedMs, bool servedByReplica = false)
    {
        if (!Recording)
        {
            return;
        }

        Interlocked.Increment(ref _reads[(int)hop]);
        if (missed)
        {
            _misses.Enqueue((hop, chainId));
        }

        _readMs.Enqueue(elapsedMs);
        if (servedByReplica)
        {
            lock (_gate)
            {
                _slowestReplicaReadMs = Math.Max(_slowestReplicaReadMs, elapsedMs);
            }
        }
    }

    /// <summary>A request the application failed with a Redis error (a write or read while the primary switches).</summary>
    public void RecordFailure()
    {
        if (Recording)
        {
            Interlocked.Increment(ref _failedRequests);
        }
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

    /// <summary>The chain's write failed, so no message was sent: nothing to wait for.</summary>
    public void ForgetConsumer(string chainId) => _chainsInFlight.TryRemove(chainId, out _);

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

    /// <param name="name">The phase.</param>
    /// <param name="mode">Its routing mode.</param>
    /// <param name="reads">The client's routing statistics over the phase.</param>
    /// <param name="lostWrites">
    /// Chains whose acknowledged write the (final) primary does not hold: a failover lost it. A read that missed such a
    /// write is not stale (no server has it any more); every other miss is.
    /// </param>
    /// <param name="primaryChange">Over Sentinel: the primary before and after the phase, and the failover.</param>
    public DemoPhaseResult Result(
        string name, RywMode mode, RywStatistics reads, IReadOnlySet<string>? lostWrites = null, DemoPrimaryChange? primaryChange = null)
    {
        lostWrites ??= new HashSet<string>(StringComparer.Ordinal);
        var stale = new long[3];
        long missedLost = 0;
        foreach (var (hop, id) in _misses)
        {
            if (lostWrites.Contains(id))
            {
                missedLost++;
            }
            else
            {
                stale[(int)hop]++;
            }
        }

        return new(
            name,
            mode,
            [.. _reads],
            stale,
            LatencySummary.From([.. _readMs]),
            LatencySummary.From([.. _chainMs]),
            Ratio.Share(reads.ReplicaReads, reads.Reads))
        {
            Writes = _writes.Count,
            LostWrites = lostWrites.Count,
            ReadsOfLostWrites = missedLost,
            FailedRequests = Interlocked.Read(ref _failedRequests),
            SlowestReplicaReadMs = _slowestReplicaReadMs,
            PrimaryChange = primaryChange,
        };
    }
}

/// <summary>What one phase of the demo saw.</summary>
internal sealed record DemoPhaseResult(
    string Name, RywMode Mode, long[] ReadsByHop, long[] StaleByHop, LatencySummary ReadLatency, LatencySummary ChainLatency, double ReplicaShare)
{
    public long Reads => ReadsByHop.Sum();

    public long StaleReads => StaleByHop.Sum();

    /// <summary>Acknowledged writes (one per chain whose POST succeeded).</summary>
    public long Writes { get; init; }

    /// <summary>Acknowledged writes the primary no longer holds after the failover.</summary>
    public long LostWrites { get; init; }

    /// <summary>Reads that missed a lost write: not stale, since no server has the write any more.</summary>
    public long ReadsOfLostWrites { get; init; }

    /// <summary>Writes and reads the application failed with a Redis error while the primary switched.</summary>
    public long FailedRequests { get; init; }

    /// <summary>The slowest read a replica served, in ms.</summary>
    public double SlowestReplicaReadMs { get; init; }

    /// <summary>Over Sentinel: which node was primary before and after the phase, and the failover if one was made.</summary>
    public DemoPrimaryChange? PrimaryChange { get; init; }
}

/// <summary>The primary at the start and at the end of a phase, and the failover between, if one was made.</summary>
internal sealed record DemoPrimaryChange(string Before, string After, DemoFailover? Failover);

/// <summary>When a failover was asked for and how long the sentinels took to agree on the new primary.</summary>
/// <param name="AfterChains">Chains finished when it was asked for.</param>
/// <param name="StartedAt">Time into the phase's timed run.</param>
/// <param name="Took">From <c>SENTINEL FAILOVER</c> until every sentinel named the new primary.</param>
/// <param name="ChainsDuring">Chains started while it was in progress.</param>
internal sealed record DemoFailover(int AfterChains, TimeSpan StartedAt, TimeSpan Took, int ChainsDuring);
