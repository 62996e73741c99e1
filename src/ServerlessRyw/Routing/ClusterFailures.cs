using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>Recognises a cluster redirect that StackExchange.Redis was told (or unable) not to follow.</summary>
internal static class ClusterFailures
{
    /// <summary>
    /// Whether <paramref name="exception"/> says the server does not serve the key: <c>MOVED</c>/<c>ASK</c> (as
    /// StackExchange.Redis words it with <c>CommandFlags.NoRedirect</c>, or outside cluster mode), <c>CLUSTERDOWN</c>
    /// or <c>TRYAGAIN</c>. The read then goes to the primary, which follows redirects.
    /// </summary>
    public static bool IsRedirect(Exception exception) => exception is RedisException
        && (Contains(exception.Message, "MOVED")
            || Contains(exception.Message, "ASK ")
            || Contains(exception.Message, "serving hashslot")
            || Contains(exception.Message, "CLUSTERDOWN")
            || Contains(exception.Message, "TRYAGAIN"));

    private static bool Contains(string text, string value) => text.Contains(value, StringComparison.Ordinal);
}
