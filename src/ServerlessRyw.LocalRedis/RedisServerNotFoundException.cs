namespace ServerlessRyw.LocalRedis;

/// <summary>Thrown when no <c>redis-server</c> binary can be found to start.</summary>
public sealed class RedisServerNotFoundException : Exception
{
    /// <summary>The message used when <c>redis-server</c> is not on <c>PATH</c>.</summary>
    public const string NotOnPathMessage =
        "redis-server was not found on PATH. Install it: sudo apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)";

    /// <summary>Creates the exception with <see cref="NotOnPathMessage"/>.</summary>
    public RedisServerNotFoundException()
        : base(NotOnPathMessage)
    {
    }

    /// <summary>Creates the exception with a specific message.</summary>
    /// <param name="message">Which binary was looked for and where.</param>
    public RedisServerNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a specific message and the exception that led to it.</summary>
    /// <param name="message">Which binary was looked for and where.</param>
    /// <param name="innerException">The underlying exception.</param>
    public RedisServerNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
