using Microsoft.Extensions.Logging;

namespace ServerlessRyw;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Ignored an incoming read-your-writes token ({Status}); reads will wait for the primary's current position instead.")]
    public static partial void TokenRejected(ILogger logger, RywTokenStatus status);

    [LoggerMessage(2, LogLevel.Warning, "An incoming token asks for offset {Offset} in history {ReplicationId}, beyond the primary's {PrimaryOffset}; using the primary's position.")]
    public static partial void TokenBeyondPrimary(ILogger logger, string replicationId, long offset, long primaryOffset);

    [LoggerMessage(3, LogLevel.Information, "An incoming token names replication history {ReplicationId}, which the primary ({PrimaryReplicationId}) does not share; using the primary's position.")]
    public static partial void TokenForeignHistory(ILogger logger, string replicationId, string primaryReplicationId);

    [LoggerMessage(4, LogLevel.Warning, "The replication offset probe on {Server} failed; the read falls back safely.")]
    public static partial void ProbeFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "The read on replica {Server} failed; reading the primary instead.")]
    public static partial void ReplicaReadFailed(ILogger logger, string server, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "No replica reached the token within {Budget} ms; read the primary.")]
    public static partial void FellBackToPrimary(ILogger logger, double budget);

    [LoggerMessage(7, LogLevel.Warning, "The write's token could not be captured; the next read or export probes the primary again.")]
    public static partial void CaptureFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "The OnReadRouted callback threw; the read it reported was not affected.")]
    public static partial void CallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "Could not open the toolkit's probe connection to primary {Server}; primary probes share the application's connection, where a paused write holds them.")]
    public static partial void ProbeConnectionFailed(ILogger logger, string server, Exception exception);
}
