namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Kills every <see cref="AzuriteProcess"/> this process started when it ends (exit, Ctrl+C, SIGTERM, SIGHUP), and
/// reaps instances whose owner died without cleaning up, exactly as <see cref="LocalRedisCleanup"/> does for Redis.
/// </summary>
public static class AzuriteCleanup
{
    private static readonly ChildProcessRegistry<AzuriteProcess> Registry = new();
    private static int _reaped;

    /// <summary>How many started instances have not been disposed yet.</summary>
    public static int TrackedCount => Registry.Count;

    /// <summary>Kills every instance started by this process that has not been disposed. Never throws.</summary>
    /// <returns>How many were tracked.</returns>
    public static int KillAll() => Registry.KillAll();

    internal static void Register(AzuriteProcess instance) => Registry.Register(instance);

    internal static void Unregister(AzuriteProcess instance) => Registry.Unregister(instance);

    internal static void ReapOrphansOnce()
    {
        if (Interlocked.Exchange(ref _reaped, 1) != 0)
        {
            return;
        }

        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(Path.GetTempPath(), AzuriteProcess.DirectoryPrefix + "*").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var directory in directories)
        {
            // Same owner/pid files and working-directory check as Redis servers: only dead owners' instances go.
            _ = OrphanedServerReaper.ReapIfOrphaned(directory);
        }
    }
}
