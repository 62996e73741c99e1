namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Kills every <see cref="RedisSentinelProcess"/> not yet disposed when this process ends (normal exit, Ctrl+C,
/// SIGTERM, SIGHUP), as <see cref="LocalRedisCleanup"/> does for servers. Sentinels of a process killed with SIGKILL
/// are reaped later by <c>OrphanedServerReaper</c>: they run in the same kind of owner-stamped directory.
/// </summary>
internal static class SentinelCleanup
{
    private static readonly ChildProcessRegistry<RedisSentinelProcess> Registry = new();

    public static void Register(RedisSentinelProcess sentinel) => Registry.Register(sentinel);

    public static void Unregister(RedisSentinelProcess sentinel) => Registry.Unregister(sentinel);
}
