namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Starts a child process on picked free ports, again with new ports when it could not bind them: a port that is free
/// when picked can be taken before the child binds it. One loop for Redis servers, sentinels and Azurite.
/// </summary>
internal static class PortRetry
{
    /// <summary>How many port sets are tried before giving up.</summary>
    public const int Attempts = 5;

    /// <summary>
    /// Creates and launches a process until <paramref name="launch"/> says it is up; disposes every failed one.
    /// </summary>
    /// <param name="attempts">How many tries (1 when the caller fixed the port).</param>
    /// <param name="create">A new, not yet started process on fresh ports.</param>
    /// <param name="launch">Starts it: <see langword="true"/> when up, <see langword="false"/> when its ports were taken.</param>
    /// <param name="givenUp">The error for the last attempt's process.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<TProcess> StartAsync<TProcess>(
        int attempts, Func<TProcess> create, Func<TProcess, CancellationToken, Task<bool>> launch, Func<TProcess, Exception> givenUp, CancellationToken cancellationToken)
        where TProcess : IAsyncDisposable
    {
        for (var attempt = 1; ; attempt++)
        {
            var process = create();
            try
            {
                if (await launch(process, cancellationToken).ConfigureAwait(false))
                {
                    return process;
                }

                if (attempt >= attempts)
                {
                    throw givenUp(process);
                }
            }
            catch
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
