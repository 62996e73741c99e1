using System.Globalization;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Asks a server for its replication position without admin mode: <c>ROLE</c> is refused inside scripts and
/// StackExchange.Redis 1.x treats <c>INFO</c> as an admin command, but a script may call <c>INFO</c>. Sent on the
/// same connection as a read or write, it is ordered with it, which is what makes the answer meaningful.
/// </summary>
internal static class ReplicationProbe
{
    // The raw INFO text, parsed here: matching fields in Lua cost the server ~20 us a probe, returning the text ~5 us,
    // and the replica's CPU is what read offload is for.
    internal const string Script = "return redis.call('INFO', 'replication')";

    // Redis reports a zero id when a server has no previous history.
    private const string NoReplicationId = "0000000000000000000000000000000000000000";

    public static Task<RedisResult> SendAsync(IDatabaseAsync database) =>
        database.ScriptEvaluateAsync(Script, null, null, CommandFlags.None);

    /// <summary>Reads a probe reply; <see langword="null"/> when it is not one (a proxy or an old server).</summary>
    public static ReplicationState? Parse(RedisResult result)
    {
        try
        {
            return ParseInfo((string?)result);
        }
        catch (InvalidCastException)
        {
            // Not a single string: something between us and Redis answered, or a script that returns fields.
        }

        try
        {
            var fields = (RedisResult[]?)result;
            return fields is null ? null : Parse(Array.ConvertAll(fields, static f => (string?)f));
        }
        catch (InvalidCastException)
        {
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
