using System.Diagnostics;
using System.Globalization;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// The temp directory each server runs in. Besides being redis' <c>--dir</c>, it records who started the server
/// so that servers orphaned by a crashed test run can be recognised and reaped later.
/// </summary>
internal static class ServerDirectory
{
    public const string Prefix = "ryw-redis-";
    private const string OwnerFileName = "owner.txt";
    private const string ServerPidFileName = "server.pid";

    private static readonly Lazy<long> CurrentProcessStartTicks = new(() =>
    {
        using var current = Process.GetCurrentProcess();
        return ProcessStartTicks(current);
    });

    /// <summary>A new temp directory stamped with this process as its owner.</summary>
    /// <param name="prefix">Its name prefix: <see cref="Prefix"/> for Redis servers and sentinels.</param>
    public static string Create(string prefix = Prefix)
    {
        string path = Directory.CreateTempSubdirectory(prefix).FullName;
        WriteOwner(path, Environment.ProcessId, CurrentProcessStartTicks.Value);
        return path;
    }

    public static void WriteOwner(string path, int processId, long startTicks) =>
        File.WriteAllText(Path.Combine(path, OwnerFileName), string.Create(CultureInfo.InvariantCulture, $"{processId} {startTicks}"));

    public static void RecordServerPid(string path, int processId) =>
        File.WriteAllText(Path.Combine(path, ServerPidFileName), processId.ToString(CultureInfo.InvariantCulture));

    public static IEnumerable<string> FindAll()
    {
        try
        {
            return Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Owner process id and start time (UTC ticks), or null if the file is missing or unreadable.</summary>
    public static (int ProcessId, long StartTicks)? ReadOwner(string path)
    {
        string[] parts = TryRead(Path.Combine(path, OwnerFileName))?.Split(' ') ?? [];
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int processId)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long startTicks)
            ? (processId, startTicks)
            : null;
    }

    public static int? ReadServerPid(string path) =>
        int.TryParse(TryRead(Path.Combine(path, ServerPidFileName)), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid
            : null;

    public static void TryDelete(string path)
    {
        // A just-killed server (or its fork) may still hold a file for a moment: retry briefly, then give up quietly.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(50);
            }
        }
    }

    public static long ProcessStartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;

    private static string? TryRead(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
