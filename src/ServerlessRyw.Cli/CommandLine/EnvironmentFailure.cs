using System.Net.Sockets;
using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.CommandLine;

/// <summary>Turns the failures a user can fix (no redis-server, a server that won't start, Ctrl+C) into a message and an exit code.</summary>
internal sealed record EnvironmentFailure(string Message, int ExitCode)
{
    /// <returns>The failure to report, or <see langword="null"/> for a bug that should surface as an exception.</returns>
    /// <remarks>
    /// After Ctrl+C every failure counts as the cancellation: the servers are killed at once (see
    /// <see cref="LocalRedisCleanup"/>), so work still in flight fails with connection errors, not only with
    /// <see cref="OperationCanceledException"/>.
    /// </remarks>
    public static EnvironmentFailure? Describe(Exception exception, CancellationToken cancellationToken, bool startedServers = true) => exception switch
    {
        _ when cancellationToken.IsCancellationRequested =>
            new(startedServers ? "Cancelled; every server this run started has been stopped." : "Cancelled.", ExitCodes.Cancelled),
        RedisServerNotFoundException notFound => new(notFound.Message, ExitCodes.Environment),
        RedisServerStartException start => new("A local redis-server did not start:\n" + start.Message, ExitCodes.Environment),
        TimeoutException timeout => new("Local replication did not come up in time:\n" + timeout.Message, ExitCodes.Environment),
        RedisConnectionException connection => new("Could not connect to Redis: " + connection.Message, ExitCodes.Environment),
        Probe.SentinelUnavailableException sentinel => new(sentinel.Message, ExitCodes.Environment),
        SocketException socket => new("Network error: " + socket.Message, ExitCodes.Environment),
        _ => null,
    };
}
