namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Thrown when a Redis server answers a command with a RESP error reply (for example <c>-ERR unknown command</c>).
/// </summary>
public sealed class RedisErrorReplyException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public RedisErrorReplyException()
        : base("The Redis server replied with an error.")
    {
    }

    /// <summary>Creates the exception with the server's error text.</summary>
    /// <param name="message">The error text the server sent, without the leading <c>-</c>.</param>
    public RedisErrorReplyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the server's error text and the exception that led to it.</summary>
    /// <param name="message">The error text.</param>
    /// <param name="innerException">The underlying exception.</param>
    public RedisErrorReplyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
