namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>Keys under which the adapter keeps per-invocation state in <c>FunctionContext.Items</c>.</summary>
/// <remarks>Prefixed so they never collide with the worker's or the user's own items.</remarks>
internal static class RywFunctionItemKeys
{
    /// <summary>The invocation's <see cref="RywSession"/>.</summary>
    public const string Session = "ServerlessRyw.Session";

    /// <summary>Set once a queue envelope's token has been imported, so a second binding pass does not count it twice.</summary>
    public const string QueueTokenImported = "ServerlessRyw.QueueTokenImported";

    /// <summary>Set once the HTTP response has been given a stamping callback.</summary>
    public const string ResponseHooked = "ServerlessRyw.ResponseHooked";
}
