namespace ServerlessRyw.LocalRedis;

/// <summary>Thrown when Azurite cannot be found, exits, or does not accept connections while starting.</summary>
public sealed class AzuriteStartException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public AzuriteStartException()
        : base("Azurite failed to start.")
    {
    }

    /// <summary>Creates the exception with a message that should include Azurite's last output lines.</summary>
    /// <param name="message">What went wrong.</param>
    public AzuriteStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that led to it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying exception.</param>
    public AzuriteStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
