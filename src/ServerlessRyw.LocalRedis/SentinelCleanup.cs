using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Kills every <see cref="RedisSentinelProcess"/> not yet disposed when this process ends (normal exit, Ctrl+C,
/// SIGTERM, SIGHUP), as <see cref="LocalRedisCleanup"/> does for servers. Sentinels of a process killed with SIGKILL
/// are reaped later by <c>OrphanedServerReaper</c>: they run in the same kind of owner-stamped directory.
/// </summary>
internal static class SentinelCleanup
{
    private static readonly ConcurrentDictionary<RedisSentinelProcess, byte> Sentinels = new();
    private static readonly Lock HookGate = new();
    private static readonly List<PosixSignalRegistration> SignalRegistrations = [];
    private static bool _hooked;

    public static void Register(RedisSentinelProcess sentinel)
    {
        HookProcessEndOnce();
        Sentinels.TryAdd(sentinel, 0);
    }

    public static void Unregister(RedisSentinelProcess sentinel) => Sentinels.TryRemove(sentinel, out _);

    private static void KillAll()
    {
        foreach (RedisSentinelProcess sentinel in Sentinels.Keys)
        {
            sentinel.KillForShutdown();
        }
    }

    private static void HookProcessEndOnce()
    {
        lock (HookGate)
        {
            if (_hooked)
            {
                return;
            }

            _hooked = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
            Console.CancelKeyPress += (_, _) => KillAll();
            foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            {
                try
                {
                    SignalRegistrations.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
                }
                catch (PlatformNotSupportedException)
                {
                    // Windows has no SIGHUP; ProcessExit and CancelKeyPress still cover it.
                }
            }
        }
    }
}
