using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Kills every <see cref="AzuriteProcess"/> this process started when it ends (exit, Ctrl+C, SIGTERM, SIGHUP), and
/// reaps instances whose owner died without cleaning up, exactly as <see cref="LocalRedisCleanup"/> does for Redis.
/// </summary>
public static class AzuriteCleanup
{
    private static readonly ConcurrentDictionary<AzuriteProcess, byte> Instances = new();
    private static readonly Lock HookGate = new();
    private static readonly List<PosixSignalRegistration> SignalRegistrations = [];
    private static bool _hooked;
    private static int _reaped;

    /// <summary>How many started instances have not been disposed yet.</summary>
    public static int TrackedCount => Instances.Count;

    /// <summary>Kills every instance started by this process that has not been disposed. Never throws.</summary>
    /// <returns>How many were tracked.</returns>
    public static int KillAll()
    {
        var count = 0;
        foreach (var instance in Instances.Keys)
        {
            count++;
            instance.KillForShutdown();
        }

        return count;
    }

    internal static void Register(AzuriteProcess instance)
    {
        HookProcessEndOnce();
        Instances.TryAdd(instance, 0);
    }

    internal static void Unregister(AzuriteProcess instance) => Instances.TryRemove(instance, out _);

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
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            {
                try
                {
                    SignalRegistrations.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
                }
                catch (PlatformNotSupportedException)
                {
                    // Windows has no SIGHUP.
                }
            }
        }
    }
}
