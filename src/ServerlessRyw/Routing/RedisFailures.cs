using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>Tells a server that cannot answer now apart from a command that is simply wrong.</summary>
internal static class RedisFailures
{
    /// <summary>
    /// Whether <paramref name="exception"/> means the server is unavailable or not serving data yet, so another
    /// server should be tried. Anything else (WRONGTYPE, a bug in the caller's delegate) belongs to the caller.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException or ObjectDisposedException or TimeoutException => true,
        RedisServerException server => IsTransientServerError(server.Message),
        _ => false,
    };

    /// <summary>
    /// The error for a command the toolkit will not send because no primary is reachable: the same type
    /// StackExchange.Redis raises for a write then, so callers handle both alike.
    /// </summary>
    public static RedisConnectionException NoPrimary(string message)
    {
        // StackExchange.Redis 3 prefers an overload with CommandFlags that 2.x does not have.
#pragma warning disable CS0618
        return new RedisConnectionException(ConnectionFailureType.UnableToResolvePhysicalConnection, message);
#pragma warning restore CS0618
    }

    private static bool IsTransientServerError(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("BUSY", StringComparison.Ordinal)
        || message.StartsWith("TRYAGAIN", StringComparison.Ordinal);
}
