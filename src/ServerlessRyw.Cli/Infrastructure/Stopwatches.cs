using System.Diagnostics;

namespace ServerlessRyw.Cli.Infrastructure;

/// <summary>Elapsed time in milliseconds from <see cref="Stopwatch"/> timestamps, without allocating.</summary>
internal static class Stopwatches
{
    public static double ElapsedMs(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
