using System.Globalization;
using System.Net;

namespace ServerlessRyw.Topology;

/// <summary>Parses and formats the <c>host:port</c> text discovery hands out (what StackExchange.Redis configuration strings take).</summary>
internal static class TopologyEndPoints
{
    /// <summary>The port a sentinel listens on when its endpoint names none.</summary>
    public const int DefaultSentinelPort = 26379;

    public static string Format(string host, int port)
    {
        // IPv6 literals need brackets, or the port separator is ambiguous.
        string shown = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return string.Create(CultureInfo.InvariantCulture, $"{shown}:{port}");
    }

    public static string Format(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => Format(ip.Address.ToString(), ip.Port),
        DnsEndPoint dns => Format(dns.Host, dns.Port),
        _ => endPoint.ToString() ?? string.Empty,
    };

    /// <summary>Splits <c>host:port</c>; <see langword="false"/> for anything else (no port, port out of range, empty host).</summary>
    public static bool TryParse(string? text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string trimmed = text.Trim();
        int separator = trimmed.LastIndexOf(':');
        if (separator <= 0
            || !int.TryParse(trimmed.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        host = trimmed[..separator].Trim('[', ']');
        // A colon left in the host is only valid in an IPv6 literal.
        return host.Length > 0 && (!host.Contains(':', StringComparison.Ordinal) || IPAddress.TryParse(host, out _));
    }

    /// <summary>The canonical form of <c>host:port</c> text (brackets for IPv6, no spaces), or <see langword="null"/> when it does not parse.</summary>
    public static string? Normalize(string? text) => TryParse(text, out string host, out int port) ? Format(host, port) : null;
}
