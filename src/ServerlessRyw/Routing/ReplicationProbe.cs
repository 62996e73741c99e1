using System.Globalization;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Asks a server for its replication position: <c>INFO replication</c> itself where the connection may send it
/// (StackExchange.Redis 2.x, or 3.x with <c>allowAdmin</c>), else a script calling it (<c>ROLE</c>, which needs no
/// admin mode, is refused inside scripts and names no replication id).
/// </summary>
/// <remarks>
/// <para>Two properties make the answer usable, and both hold by construction, not by luck:</para>
/// <list type="bullet">
/// <item>It never waits behind a write pause. <c>INFO</c> is a read, and the script is declared
/// <c>#!lua flags=no-writes</c> (Redis 7+), so <c>CLIENT PAUSE … WRITE</c> (which Redis applies itself during
/// <c>FAILOVER</c> and a lagging <c>SHUTDOWN</c>) holds neither. Older servers refuse the shebang;
/// <see cref="ProbeScript"/> then falls back to the plain script for that server, which a write pause does hold (a
/// deadline still bounds it).</item>
/// <item>It is never re-sent behind the caller's back. The script goes as a plain <c>EVAL</c> of the source
/// (<see cref="CommandFlags.NoScriptCache"/>): with <c>EVALSHA</c>, StackExchange.Redis answers <c>NOSCRIPT</c>
/// (after <c>SCRIPT FLUSH</c>, a restart, a full resync) by sending the script again, after whatever was queued
/// behind it, and inside a batch that was already sent the retry never completes.</item>
/// </list>
/// <para>Ordering against a read or a write is the caller's job: a probe and a replica read go in one
/// <c>MULTI</c>/<c>EXEC</c> (<see cref="ReplicaReader"/>); a capture is sent only after the write was answered.</para>
/// </remarks>
internal static class ReplicationProbe
{
    // The raw INFO text, parsed here: matching the fields in Lua costs the server 2.5x the script that returns the text
    // (`ryw bench --probe-cost`), and the replica's CPU is what read offload is for.
    internal const string Script = "#!lua flags=no-writes\nreturn redis.call('INFO', 'replication')";

    /// <summary>The same script for servers before Redis 7, which do not know script flags.</summary>
    internal const string LegacyScript = "return redis.call('INFO', 'replication')";

    // Redis reports a zero id when a server has no previous history.
    private const string NoReplicationId = "0000000000000000000000000000000000000000";

    /// <summary>The section a probe asks for, sent as <c>INFO replication</c> when the connection may.</summary>
    private static readonly object[] InfoArguments = ["replication"];

    /// <summary>Sends the probe that <paramref name="script"/> says this server understands.</summary>
    /// <param name="database">Where to send it: a replica's connection or transaction, or the primary's.</param>
    /// <param name="script">The server's probe form.</param>
    /// <remarks>Both forms take the connection's default routing: StackExchange.Redis counts neither <c>EVAL</c> nor
    /// <c>INFO</c> as a primary-only command, so switching forms never changes which server answers.</remarks>
    public static Task<RedisResult> SendAsync(IDatabaseAsync database, ProbeScript script)
    {
        if (script.SendsInfo)
        {
            try
            {
                return database.ExecuteAsync("INFO", InfoArguments, CommandFlags.None);
            }
            catch (RedisCommandException refused) when (script.FallBackIfRefused(refused))
            {
                // Refused by the client before it was sent: the script goes instead, in the same place.
            }
        }

        return database.ScriptEvaluateAsync(script.Source, null, null, CommandFlags.NoScriptCache);
    }

    /// <summary>
    /// Probes <paramref name="database"/> on its own (not ordered with any other command), moving to the next probe
    /// form once if the client or server refuses this one (see <see cref="ProbeScript.FallBackIfRefused"/>).
    /// </summary>
    /// <returns>The position; <see langword="null"/> when the reply is not one.</returns>
    public static async Task<ReplicationState?> ProbeAsync(IDatabaseAsync database, ProbeScript script)
    {
        try
        {
            return Parse(await SendAsync(database, script).ConfigureAwait(false));
        }
        catch (RedisException exception) when (script.FallBackIfRefused(exception))
        {
            return Parse(await SendAsync(database, script).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Probes one server of a connection (<see cref="IServer"/> commands go to that server, whichever the connection
    /// would pick as its primary); failures are answered as <see langword="null"/>.
    /// </summary>
    public static async Task<ReplicationState?> ProbeAsync(IServer server, ProbeScript script)
    {
        try
        {
            try
            {
                return Parse(await server.ExecuteAsync("EVAL", script.Source, 0).ConfigureAwait(false));
            }
            catch (RedisServerException exception) when (script.FallBackIfRefused(exception))
            {
                return Parse(await server.ExecuteAsync("EVAL", script.Source, 0).ConfigureAwait(false));
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Reads a probe reply; <see langword="null"/> when it is not one (a proxy or an old server).</summary>
    public static ReplicationState? Parse(RedisResult result)
    {
        try
        {
            return ParseInfo((string?)result);
        }
        catch (InvalidCastException)
        {
            // Not a single string: something between us and Redis answered.
            return null;
        }
    }

    /// <summary>Reads the <c>INFO replication</c> text a probe returns.</summary>
    public static ReplicationState? ParseInfo(string? info)
    {
        if (string.IsNullOrEmpty(info))
        {
            return null;
        }

        string? role = null, id = null, offset = null, previousId = null, previousEnd = null;
        foreach (var range in info.AsSpan().Split('\n'))
        {
            var line = info.AsSpan()[range].TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var value = line[(colon + 1)..];
            switch (line[..colon])
            {
                case "role": role = value.ToString(); break;
                case "master_replid": id = value.ToString(); break;
                case "master_repl_offset": offset = value.ToString(); break;
                case "master_replid2": previousId = value.ToString(); break;
                case "second_repl_offset": previousEnd = value.ToString(); break;
                default: break;
            }
        }

        return Parse([role, id, offset, previousId, previousEnd]);
    }

    /// <summary>Reads the probe's fields: role, id, offset, previous id, previous history end.</summary>
    public static ReplicationState? Parse(IReadOnlyList<string?> fields)
    {
        if (fields.Count < 5)
        {
            return null;
        }

        var role = fields[0];
        var id = fields[1];
        if (string.IsNullOrEmpty(id)
            || !RywToken.IsValidReplicationId(id)
            || !long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return null;
        }

        var previousId = fields[3];
        _ = long.TryParse(fields[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var previousEnd);
        var hasPrevious = !string.IsNullOrEmpty(previousId) && previousId != NoReplicationId && previousEnd > 0;
        return new ReplicationState(
            id,
            offset,
            hasPrevious ? previousId : null,
            hasPrevious ? previousEnd : 0,
            string.Equals(role, "master", StringComparison.Ordinal));
    }
}
