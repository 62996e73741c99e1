using System.Diagnostics;

namespace ServerlessRyw.TestSupport;

/// <summary>Polls a condition until it holds or a deadline passes; failures while polling count as "not yet".</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                last = exception;
            }

            await Task.Delay(PollInterval);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.", last);
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Whether <paramref name="condition"/> held within <paramref name="timeout"/>.</summary>
    public static Task<bool> WithinAsync(Func<bool> condition, TimeSpan timeout) =>
        WithinAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Whether <paramref name="condition"/> held within <paramref name="timeout"/>.</summary>
    public static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }

        return true;
    }
}
