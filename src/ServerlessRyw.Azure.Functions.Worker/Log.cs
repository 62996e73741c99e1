using Microsoft.Extensions.Logging;
using ServerlessRyw;

namespace ServerlessRyw.Azure.Functions.Worker;

internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Error,
        Message = "Read-your-writes is off for invocation {InvocationId} of {FunctionName}: its session could not be created. Functions that inject RywSession fail to activate; the others run without token propagation.")]
    public static partial void SessionUnavailable(ILogger logger, string functionName, string invocationId, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "Could not read the read-your-writes token of the request to {FunctionName}; the invocation reads carefully only if a token arrives another way.")]
    public static partial void RequestUnreadable(ILogger logger, string functionName, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "UseReadYourWrites() was called before ConfigureFunctionsWebApplication(): the token was read from the host's trigger metadata, but responses of {FunctionName} cannot be stamped. Call UseReadYourWrites() after ConfigureFunctionsWebApplication().")]
    public static partial void MiddlewareOutsideAspNetCore(ILogger logger, string functionName);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning,
        Message = "{FunctionName} sent {Count} queue message(s) without the read-your-writes token: too large for the queue once stamped, binary, not serializable, or in {Unwritable} output properties that cannot hold the envelope. Consumers of those messages may read stale data.")]
    public static partial void MessagesUnstamped(ILogger logger, string functionName, int count, int unwritable);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning,
        Message = "Could not stamp the read-your-writes token on the output of {FunctionName}; it was sent without it.")]
    public static partial void StampFailed(ILogger logger, string functionName, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning,
        Message = "Could not take the read-your-writes envelope off the message of {FunctionName}; the function receives it as it was sent.")]
    public static partial void UnwrapFailed(ILogger logger, string functionName, Exception exception);
}
