namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Thrown when the bytes received from a server are not valid RESP, or the connection closed mid-reply.
/// </summary>
public sealed class RespProtocolException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public RespProtocolException()
        : base("The server sent an invalid RESP reply.")
    {
    }

    /// <summary>Creates the exception with a description of what was wrong.</summary>
    /// <param name="message">What was wrong with the reply.</param>
    public RespProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a description and the exception that led to it.</summary>
    /// <param name="message">What was wrong with the reply.</param>
    /// <param name="innerException">The underlying exception.</param>
    public RespProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
