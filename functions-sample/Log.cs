using Microsoft.Extensions.Logging;

namespace FunctionsSample;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} placed; token {Token}")]
    public static partial void OrderPlaced(ILogger logger, string orderId, ServerlessRyw.RywToken token);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Hop}: order {OrderId} sees the previous hop's write")]
    public static partial void SawWrite(ILogger logger, string hop, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Hop}: order {OrderId} read stale data")]
    public static partial void ReadStale(ILogger logger, string hop, string orderId);
}
