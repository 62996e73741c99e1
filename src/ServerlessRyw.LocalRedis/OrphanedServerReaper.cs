using System.ComponentModel;
using System.Diagnostics;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Kills servers left behind by a test run or CLI that died without cleaning up (SIGKILL, a crashed test host),
/// so they don't pile up across runs. Only servers whose owning process is gone are touched: concurrent test
/// runs on the same machine keep theirs.
/// </summary>
internal static class OrphanedServerReaper
{
    // Start times read back through /proc can differ by a few clock ticks from the ones recorded.
    private static readonly long StartTimeTolerance = TimeSpan.FromSeconds(1).Ticks;
    private static int _reaped;

    public static void ReapOnce()
    {
        if (Interlocked.Exchange(ref _reaped, 1) == 0)
        {
            foreach (string directory in ServerDirectory.FindAll())
            {
                _ = ReapIfOrphaned(directory);
            }
        }
    }

    /// <returns>Whether the directory belonged to a dead owner and was reaped.</returns>
    internal static bool ReapIfOrphaned(string directory)
    {
        (int ProcessId, long StartTicks)? owner = ServerDirectory.ReadOwner(directory);
        if (owner is null || IsAlive(owner.Value.ProcessId, owner.Value.StartTicks))
        {
            // No owner file means a directory still being set up, or not ours: leave it.
            return false;
        }

        if (ServerDirectory.ReadServerPid(directory) is int serverPid)
        {
            KillIfServerOf(serverPid, directory);
        }

        ServerDirectory.TryDelete(directory);
        return true;
    }

    private static bool IsAlive(int processId, long startTicks)
    {
        try
        {
            using Process process = Process.GetProcessById(processId);
            return Math.Abs(ServerDirectory.ProcessStartTicks(process) - startTicks) <= StartTimeTolerance;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Win32Exception)
        {
            return false;
        }
    }

    private static void KillIfServerOf(int serverPid, string directory)
    {
        try
        {
            using Process process = Process.GetProcessById(serverPid);

            // Process ids get reused: only kill a process that is really the server started in this directory.
            // Its working directory says so (redis rewrites its command line, so that cannot be used).
            bool isThatServer = OperatingSystem.IsLinux()
                ? new DirectoryInfo($"/proc/{serverPid}/cwd").LinkTarget == directory
                : process.ProcessName.StartsWith("redis-server", StringComparison.Ordinal);
            if (isThatServer)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Win32Exception or IOException or UnauthorizedAccessException)
        {
            // Already gone, or not ours to kill.
        }
    }
}
