using Microsoft.Extensions.Logging;

namespace ServerlessRyw.AspNetCore;

internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Warning, "The read-your-writes token could not be stamped on the response; the caller's next hop may read stale data.")]
    public static partial void StampFailed(ILogger logger, Exception exception);
}
