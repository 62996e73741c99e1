namespace ServerlessRyw.Routing;

/// <summary>
/// Bounds a server call the toolkit makes. StackExchange.Redis cannot cancel a command once queued, so the call is
/// abandoned, not stopped: its eventual error is observed here so it never surfaces as an unobserved task exception.
/// </summary>
internal static class Deadline
{
    /// <summary>The task's result, or a <see cref="TimeoutException"/> once <paramref name="timeout"/> has passed.</summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default)
    {
        if (task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        try
        {
            return await task.WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException && !task.IsCompleted)
        {
            ObserveLater(task);
            throw;
        }
    }

    /// <summary>An answer we stopped waiting for still completes some day; its error must not go unobserved.</summary>
    public static void ObserveLater(Task task) =>
        _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
