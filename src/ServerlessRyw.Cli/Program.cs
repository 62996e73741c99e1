using System.CommandLine;
using ServerlessRyw.Cli.CommandLine;

namespace ServerlessRyw.Cli;

internal static class Program
{
    /// <summary>
    /// After Ctrl+C the command gets this long to stop its Kestrel host and say so before the process is ended
    /// anyway. The servers it started are killed at once regardless (see <c>LocalRedisCleanup</c>).
    /// </summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    public static Task<int> Main(string[] args) =>
        RywCommandLine.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = ShutdownGrace });
}
