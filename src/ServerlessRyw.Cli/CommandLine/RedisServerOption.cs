using System.CommandLine;

namespace ServerlessRyw.Cli.CommandLine;

internal static class RedisServerOption
{
    public static Option<string?> Create() => new("--redis-server")
    {
        Description = "Path of the redis-server binary to start [default: the one on PATH]",
        HelpName = "path",
    };
}
