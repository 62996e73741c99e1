using System.Diagnostics;
using ServerlessRyw.Topology;

namespace ServerlessRyw.Sentinel.Tests.Infrastructure;

/// <summary>Records every snapshot a discovery raises through Changed, and waits for one that matches.</summary>
internal sealed class ChangeRecorder : IDisposable
{
    private readonly TopologyDiscovery _discovery;
    private readonly Lock _gate = new();
    private readonly List<(long Timestamp, TopologySnapshot Snapshot)> _changes = [];
    private readonly List<(Func<TopologySnapshot, bool> Match, TaskCompletionSource<(long, TopologySnapshot)> Done)> _waiters = [];
    private int _concurrent;

    public ChangeRecorder(TopologyDiscovery discovery)
    {
        _discovery = discovery;
        _discovery.Changed += OnChanged;
    }

    /// <summary>Whether two Changed calls ever overlapped (the contract says they never do).</summary>
    public bool SawConcurrentCalls { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _changes.Count;
            }
        }
    }

    public IReadOnlyList<TopologySnapshot> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes.Select(c => c.Snapshot)];
            }
        }
    }

    /// <summary>The first change (already recorded or to come) that matches, with its Stopwatch timestamp.</summary>
    /// <param name="from">Only changes recorded at this index or later count (see <see cref="Count"/>).</param>
    public async Task<(long Timestamp, TopologySnapshot Snapshot)> WaitForAsync(Func<TopologySnapshot, bool> match, TimeSpan timeout, string what, int from = 0)
    {
        var done = new TaskCompletionSource<(long, TopologySnapshot)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach ((long timestamp, TopologySnapshot snapshot) in _changes.Skip(from))
            {
                if (match(snapshot))
                {
                    return (timestamp, snapshot);
                }
            }

            _waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No Changed snapshot {what} within {timeout.TotalSeconds} s. Current: {_discovery.Current}. Changes: {string.Join(" | ", Changes)}");
        }
    }

    public void Dispose() => _discovery.Changed -= OnChanged;

    private void OnChanged(TopologySnapshot snapshot)
    {
        if (Interlocked.Increment(ref _concurrent) > 1)
        {
            SawConcurrentCalls = true;
        }

        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _changes.Add((now, snapshot));
            foreach (var waiter in _waiters.Where(w => w.Match(snapshot)).ToList())
            {
                waiter.Done.TrySetResult((now, snapshot));
                _waiters.Remove(waiter);
            }
        }

        Interlocked.Decrement(ref _concurrent);
    }
}
