namespace ServerlessRyw.LocalRedis;

/// <summary>Thrown when a local <c>redis-server</c> exits or stays unresponsive while starting.</summary>
public sealed class RedisServerStartException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public RedisServerStartException()
        : base("redis-server failed to start.")
    {
    }

    /// <summary>Creates the exception with a message that should include the server's last log lines.</summary>
    /// <param name="message">What went wrong.</param>
    public RedisServerStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that led to it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying exception.</param>
    public RedisServerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
