using System.Collections.Concurrent;
using System.Runtime.InteropServices;

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
    private static readonly ConcurrentDictionary<RedisServerProcess, byte> Servers = new();
    private static readonly Lock HookGate = new();
    private static readonly List<PosixSignalRegistration> SignalRegistrations = [];
    private static bool _hooked;

    /// <summary>How many started servers have not been disposed yet.</summary>
    public static int TrackedServerCount => Servers.Count;

    /// <summary>Kills every server started by this process that has not been disposed. Never throws.</summary>
    /// <returns>How many servers were tracked when called.</returns>
    public static int KillAll()
    {
        int count = 0;
        foreach (RedisServerProcess server in Servers.Keys)
        {
            count++;
            server.KillForShutdown();
        }

        return count;
    }

    internal static void Register(RedisServerProcess server)
    {
        HookProcessEndOnce();
        Servers.TryAdd(server, 0);
    }

    internal static void Unregister(RedisServerProcess server) => Servers.TryRemove(server, out _);

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

            // Never sets Cancel: whether Ctrl+C ends the process stays the host's decision, and the servers get
            // SIGINT from the terminal anyway when they share its process group.
            Console.CancelKeyPress += (_, _) => KillAll();

            foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            {
                try
                {
                    // Keeping the registration alive keeps the handler; not cancelling keeps the default termination.
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
