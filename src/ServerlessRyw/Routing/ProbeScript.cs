using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Which probe script one server understands: the flagged one (Redis 7+) until the server refuses its shebang,
/// then the legacy one for good. Per server (per cluster), because a deployment may mix versions during an upgrade.
/// </summary>
/// <param name="flagged">The script, starting with <c>#!lua flags=no-writes</c>.</param>
/// <param name="legacy">The same script without the shebang.</param>
internal sealed class ProbeScript(string flagged, string legacy)
{
    private volatile bool _legacy;

    /// <summary>A new switch for the single-primary probe.</summary>
    public static ProbeScript ForReplication() => new(ReplicationProbe.Script, ReplicationProbe.LegacyScript);

    /// <summary>The script source to send.</summary>
    public string Source => _legacy ? legacy : flagged;

    /// <summary>Whether the server was seen refusing the flagged script.</summary>
    public bool IsLegacy => _legacy;

    /// <summary>
    /// Switches to the legacy script when <paramref name="exception"/> is a server refusing the shebang (Redis
    /// before 7 fails to compile <c>#!lua</c>); <see langword="true"/> when it did, so the caller may retry at once.
    /// </summary>
    public bool FallBackIfRefused(Exception exception)
    {
        if (_legacy || exception is not RedisServerException server || !RefusesShebang(server.Message))
        {
            return false;
        }

        _legacy = true;
        return true;
    }

    /// <summary>What servers before Redis 7 answer to a script that starts with a shebang line.</summary>
    internal static bool RefusesShebang(string message) =>
        message.Contains("Error compiling script", StringComparison.OrdinalIgnoreCase)
        || message.Contains("unexpected symbol near '#'", StringComparison.OrdinalIgnoreCase);
}
