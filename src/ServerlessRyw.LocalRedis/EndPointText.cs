using System.Globalization;

namespace ServerlessRyw.LocalRedis;

/// <summary>Parses and formats the <c>host:port</c> text used for endpoints throughout this library.</summary>
internal static class EndPointText
{
    public const string LoopbackHost = "127.0.0.1";

    public static string Loopback(int port) => string.Create(CultureInfo.InvariantCulture, $"{LoopbackHost}:{port}");

    public static (string Host, int Port) Parse(string endPoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endPoint);

        // LastIndexOf so that a bracketed IPv6 host such as [::1]:6379 still splits on the port separator.
        int separator = endPoint.LastIndexOf(':');
        if (separator <= 0
            || !int.TryParse(endPoint.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw new FormatException($"Endpoint '{endPoint}' is not in the form host:port.");
        }

        string host = endPoint[..separator].Trim('[', ']');
        return (host, port);
    }
}
