namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Tracks every <see cref="RedisServerProcess"/> this process started and kills them when the process ends:
/// normal exit, Ctrl+C / Ctrl+Break, SIGTERM or SIGHUP. Without this, a CLI stopped with Ctrl+C would leave its
/// servers running (.NET does not raise <see cref="AppDomain.ProcessExit"/> on an uncancelled Ctrl+C or SIGTERM).
/// </summary>
/// <remarks>
/// Servers killed here are not disposed: code still holding them sees them as stopped. A test host killed with
/// SIGKILL cannot clean up; its servers are reaped by the next process that starts a server.
/// </remarks>
public static class LocalRedisCleanup
{
    private static readonly ChildProcessRegistry<RedisServerProcess> Registry = new();

    /// <summary>How many started servers have not been disposed yet.</summary>
    public static int TrackedServerCount => Registry.Count;

    /// <summary>Kills every server started by this process that has not been disposed. Never throws.</summary>
    /// <returns>How many servers were tracked when called.</returns>
    public static int KillAll() => Registry.KillAll();

    internal static void Register(RedisServerProcess server) => Registry.Register(server);

    internal static void Unregister(RedisServerProcess server) => Registry.Unregister(server);
}
