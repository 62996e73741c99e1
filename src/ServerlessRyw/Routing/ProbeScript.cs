using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Which probe form one server understands through one connection: <c>INFO replication</c> sent as it is (about half
/// the server time of the script, see docs/bench-and-probe.md) where the connection may send it, else the flagged
/// script (Redis 7+) until the server refuses its shebang, then the legacy one for good. Per server (per cluster),
/// because a deployment may mix versions during an upgrade.
/// </summary>
/// <param name="flagged">The script, starting with <c>#!lua flags=no-writes</c>.</param>
/// <param name="legacy">The same script without the shebang.</param>
/// <param name="sendsInfo">Whether to start with <c>INFO replication</c> itself (replication probes only).</param>
internal sealed class ProbeScript(string flagged, string legacy, bool sendsInfo = false)
{
    private volatile bool _legacy;
    private volatile bool _sendsInfo = sendsInfo;

    /// <summary>A new switch for the single-primary probe, script only (for <c>IServer</c> calls and diagnostics).</summary>
    public static ProbeScript ForReplication() => new(ReplicationProbe.Script, ReplicationProbe.LegacyScript);

    /// <summary>
    /// A new switch for the single-primary probe over <paramref name="connection"/>: it starts with <c>INFO</c> itself
    /// unless the client refuses it. StackExchange.Redis 3 and later treat <c>INFO</c> as an admin command, refused on
    /// a connection without <c>allowAdmin</c>; 2.x sends it as any other command.
    /// </summary>
    public static ProbeScript ForReplication(IConnectionMultiplexer connection) =>
        new(ReplicationProbe.Script, ReplicationProbe.LegacyScript, sendsInfo: ClientSendsInfo(connection));

    /// <summary>Whether the probe goes as <c>INFO replication</c> rather than a script.</summary>
    public bool SendsInfo => _sendsInfo;

    /// <summary>The script source to send.</summary>
    public string Source => _legacy ? legacy : flagged;

    /// <summary>Whether the server was seen refusing the flagged script.</summary>
    public bool IsLegacy => _legacy;

    /// <summary>
    /// Moves to the next form when <paramref name="exception"/> refuses this one: from <c>INFO</c> to the script when
    /// the client refuses to send <c>INFO</c>, from the flagged script to the legacy one when the server refuses the
    /// shebang (Redis before 7 fails to compile <c>#!lua</c>).
    /// </summary>
    /// <returns><see langword="true"/> when it moved, so the caller may retry at once.</returns>
    public bool FallBackIfRefused(Exception exception)
    {
        // Two independent switches: IServer probes send the script even while this server's other probes send INFO.
        if (RefusesInfo(exception))
        {
            if (!_sendsInfo)
            {
                return false;
            }

            _sendsInfo = false;
            return true;
        }

        if (_legacy || exception is not RedisServerException server || !RefusesShebang(server.Message))
        {
            return false;
        }

        _legacy = true;
        return true;
    }

    /// <summary>
    /// What the client answers to an <c>INFO</c> it will not send (admin mode off, or a command map that disables it).
    /// A server that refuses <c>INFO</c> (an ACL, a renamed command) refuses it inside the script too: no form helps.
    /// </summary>
    internal static bool RefusesInfo(Exception exception) => exception is RedisCommandException;

    private static bool ClientSendsInfo(IConnectionMultiplexer connection)
    {
        if (typeof(IConnectionMultiplexer).Assembly.GetName().Version is { Major: < 3 })
        {
            return true;
        }

        try
        {
            return ConfigurationOptions.Parse(connection.Configuration).AllowAdmin;
        }
        catch (Exception exception) when (exception is ArgumentException or RedisException)
        {
            return false;
        }
    }

    /// <summary>What servers before Redis 7 answer to a script that starts with a shebang line.</summary>
    internal static bool RefusesShebang(string message) =>
        message.Contains("Error compiling script", StringComparison.OrdinalIgnoreCase)
        || message.Contains("unexpected symbol near '#'", StringComparison.OrdinalIgnoreCase);
}
