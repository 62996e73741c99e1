namespace ServerlessRyw.Routing;

/// <summary>
/// One primary probe at a time, shared by every caller that may use it. A capture needs a probe that was sent after
/// its write was answered (only then does the offset provably cover the write), so a caller never joins a probe
/// already in flight: it joins the next one, sent as soon as the one in flight completes. However many sessions
/// capture at once, at most one probe is in flight and one is waiting, and each caller waits at most two.
/// </summary>
internal sealed class CoalescedProbe(Func<Task<ReplicationState?>> send)
{
    private readonly Lock _gate = new();
    private Task<ReplicationState?>? _inFlight;
    private TaskCompletionSource<ReplicationState?>? _next;

    /// <summary>A probe sent after this call began; <see langword="null"/> as its result when it failed.</summary>
    public Task<ReplicationState?> NextAsync()
    {
        lock (_gate)
        {
            if (_inFlight is null)
            {
                return _inFlight = SendLocked();
            }

            _next ??= new TaskCompletionSource<ReplicationState?>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _next.Task;
        }
    }

    private Task<ReplicationState?> SendLocked()
    {
        Task<ReplicationState?> sending;
        try
        {
            sending = send();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            sending = Task.FromResult<ReplicationState?>(null);
        }

        // Not inline: a probe that completed synchronously must not re-enter the lock it was started under.
        _ = sending.ContinueWith(static (_, self) => ((CoalescedProbe)self!).Completed(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return sending;
    }

    private void Completed()
    {
        TaskCompletionSource<ReplicationState?>? waiting;
        Task<ReplicationState?>? following = null;
        lock (_gate)
        {
            waiting = _next;
            _next = null;
            _inFlight = waiting is null ? null : following = SendLocked();
        }

        if (waiting is not null)
        {
            _ = following!.ContinueWith(
                static (t, state) => ((TaskCompletionSource<ReplicationState?>)state!).TrySetResult(t.IsCompletedSuccessfully ? t.Result : null),
                waiting,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
