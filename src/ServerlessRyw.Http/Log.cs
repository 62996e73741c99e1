using Microsoft.Extensions.Logging;

namespace ServerlessRyw.Http;

internal static partial class Log
{
    [LoggerMessage(201, LogLevel.Warning, "The session's newest read-your-writes token could not be read; the request carries the token known so far.")]
    public static partial void TokenUnavailable(ILogger logger, Exception exception);
}
