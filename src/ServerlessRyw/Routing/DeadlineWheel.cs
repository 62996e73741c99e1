using System.Collections.Concurrent;

namespace ServerlessRyw.Routing;

/// <summary>
/// The one deadline mechanism of a client: every bounded wait (a replica attempt, a capture, a primary probe) is an
/// entry checked by one shared timer, instead of a timer per call. StackExchange.Redis cannot cancel a command once
/// queued, so an expired wait is abandoned, not stopped: the entry fails with <see cref="TimeoutException"/> and the
/// command's own outcome is still observed when it arrives (never an unobserved task exception).
/// </summary>
/// <remarks>
/// A wait ends at most one tick after its deadline; the tick is a tenth of <see cref="RywOptions.ReplicaTimeout"/>,
/// between 1 and 25 ms. The timer runs only while waits are pending.
/// </remarks>
internal sealed class DeadlineWheel : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _tick;
    private readonly ConcurrentQueue<(IBoundedWait Wait, int Generation)> _pending = new();
    private readonly ITimer _timer;
    private int _armed;
    private int _sweeping;

    public DeadlineWheel(TimeProvider time, TimeSpan replicaTimeout)
    {
        _time = time;
        var tenth = replicaTimeout / 10;
        _tick = tenth < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : tenth > MaxTick ? MaxTick : tenth;
        _timer = time.CreateTimer(static state => ((DeadlineWheel)state!).Sweep(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The longest a wait may outlive its deadline.</summary>
    public static TimeSpan MaxTick { get; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The task's result, or a <see cref="TimeoutException"/> once <paramref name="timeout"/> has passed.</summary>
    /// <remarks>Await the result once (it is a pooled <see cref="ValueTask{TResult}"/>); no allocation once the pool is warm.</remarks>
    public ValueTask<T> WaitAsync<T>(Task<T> task, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (task.IsCompleted)
        {
            return new ValueTask<T>(task);
        }

        if (timeout <= TimeSpan.Zero)
        {
            ObserveLater(task);
            return ValueTask.FromException<T>(new TimeoutException("The server did not answer in time."));
        }

        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        var (waiting, wait, generation) = BoundedWait<T>.Start(task, deadline, cancellationToken);
        _pending.Enqueue((wait, generation));
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            _timer.Change(_tick, _tick);
        }

        return waiting;
    }

    /// <summary>An answer we stopped waiting for still completes some day; its error must not go unobserved.</summary>
    /// <param name="task">The answer; <see langword="null"/> when the command was never sent (nothing to observe).</param>
    public static void ObserveLater(Task? task)
    {
        if (task is not null)
        {
            _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetTimestamp();
            for (var count = _pending.Count; count > 0 && _pending.TryDequeue(out var entry); count--)
            {
                if (!entry.Wait.TryExpire(entry.Generation, now))
                {
                    _pending.Enqueue(entry);
                }
            }

            if (_pending.IsEmpty)
            {
                // Disarm, then look again: a wait enqueued meanwhile re-arms (it saw _armed == 0) or is seen here.
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Volatile.Write(ref _armed, 0);
                if (!_pending.IsEmpty && Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
                {
                    _timer.Change(_tick, _tick);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
