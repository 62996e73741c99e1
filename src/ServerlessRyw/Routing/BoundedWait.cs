using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace ServerlessRyw.Routing;

/// <summary>What <see cref="DeadlineWheel"/> checks on each tick: one open wait, by generation.</summary>
internal interface IBoundedWait
{
    /// <summary>Fails the wait with a timeout if <paramref name="generation"/> is still open and its deadline passed.</summary>
    /// <returns>Whether the wheel is done with this entry (expired, or already ended otherwise).</returns>
    bool TryExpire(int generation, long now);
}

/// <summary>
/// One bounded wait for a command: it ends with the command's outcome, or with a <see cref="TimeoutException"/> at its
/// deadline, or cancelled, whichever comes first. Pooled, so a wait costs no allocation once the pool is warm: every
/// read has one, and the fast path must cost what the command costs.
/// </summary>
/// <remarks>
/// An instance goes back to the pool only when both its parties are done with it: the awaiting caller (it read the
/// result) and the command (it completed, so its outcome was observed). A timed-out wait whose command answers later is
/// therefore never reused before that answer arrives, and the wheel recognises stale entries by generation.
/// </remarks>
internal sealed class BoundedWait<T> : IValueTaskSource<T>, IBoundedWait
{
    private const int PoolLimit = 1024;
    private static readonly ConcurrentQueue<BoundedWait<T>> Pool = new();
    private static int _pooled;

    private ManualResetValueTaskSourceCore<T> _core;
    private ValueTask _watcher;
    private Task<T>? _source;
    private long _deadline;
    private CancellationTokenRegistration _cancellation;
    private int _generation;
    private int _open;
    private int _parties;

    private BoundedWait()
    {
        // Synchronous: the awaiting read continues on the thread that completed the command, without a hop.
        _core.RunContinuationsAsynchronously = false;
    }

    /// <summary>Starts a wait for <paramref name="source"/> until <paramref name="deadline"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    /// <returns>The wait and its generation, for the wheel's entry.</returns>
    public static (ValueTask<T> Task, BoundedWait<T> Wait, int Generation) Start(Task<T> source, long deadline, CancellationToken cancellationToken)
    {
        var wait = Rent();
        var generation = wait.Open(source, deadline, cancellationToken);
        return (new ValueTask<T>(wait, wait._core.Version), wait, generation);
    }

    public bool TryExpire(int generation, long now)
    {
        if (Volatile.Read(ref _open) != generation)
        {
            return true;
        }

        // An answer that arrived before the deadline wins, also while its continuation is still queued.
        if (now < Volatile.Read(ref _deadline) || Volatile.Read(ref _source) is { IsCompleted: true })
        {
            return false;
        }

        if (TryClose(generation))
        {
            _core.SetException(new TimeoutException("The server did not answer in time."));
        }

        return true;
    }

    public T GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private static BoundedWait<T> Rent()
    {
        if (Pool.TryDequeue(out var wait))
        {
            Interlocked.Decrement(ref _pooled);
            return wait;
        }

        return new BoundedWait<T>();
    }

    private int Open(Task<T> source, long deadline, CancellationToken cancellationToken)
    {
        _core.Reset();
        _source = source;
        _parties = 2;
        Volatile.Write(ref _deadline, deadline);
        var generation = ++_generation == 0 ? ++_generation : _generation; // 0 means closed
        _cancellation = default;
        Volatile.Write(ref _open, generation);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((BoundedWait<T>)state!).Cancel(token), this);
        }

        // The previous generation's watcher has (almost always) finished: reading its result returns its pooled box.
        if (_watcher.IsCompleted)
        {
            _watcher.GetAwaiter().GetResult();
        }

#pragma warning disable CA2012 // Consumed once, by the next generation above (a watcher still running then is left to the GC).
        _watcher = WatchAsync(this, source);
#pragma warning restore CA2012
        return generation;
    }

    /// <summary>
    /// Waits for the command in a pooled async method rather than with an <see cref="Action"/> continuation:
    /// StackExchange.Redis completes its tasks with <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>,
    /// and a task queues an <see cref="Action"/> continuation inside a new work item each time, while an async
    /// method's pooled box is queued as it is. The box returns to its pool when the next generation reads it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask WatchAsync(BoundedWait<T> wait, Task<T> source)
    {
        // The outcome, error included, is read in OnSourceCompleted.
        await ((Task)source).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        wait.OnSourceCompleted();
    }

    /// <summary>Ends the open generation once: whoever wins (answer, deadline, cancellation) completes the wait.</summary>
    private bool TryClose(int generation)
    {
        if (generation == 0 || Interlocked.CompareExchange(ref _open, 0, generation) != generation)
        {
            return false;
        }

        _cancellation.Dispose();
        _cancellation = default;
        return true;
    }

    private void Cancel(CancellationToken token)
    {
        if (TryClose(Volatile.Read(ref _open)))
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }

    private void OnSourceCompleted()
    {
        var source = _source!;
        if (TryClose(Volatile.Read(ref _open)))
        {
            if (source.IsCompletedSuccessfully)
            {
                _core.SetResult(source.Result);
            }
            else
            {
                _core.SetException(source.IsCanceled ? new TaskCanceledException(source) : source.Exception!.InnerException!);
            }
        }
        else
        {
            // The wait already ended (deadline, cancellation); reading the outcome observes it.
            _ = source.Exception;
        }

        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _parties) != 0)
        {
            return;
        }

        Volatile.Write(ref _source, null);
        if (Interlocked.Increment(ref _pooled) <= PoolLimit)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }
}
