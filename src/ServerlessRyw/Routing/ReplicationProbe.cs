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
    // Returns only the five fields routing needs, so the reply stays small; '' stands in for absent fields
    // because a nil would end a Lua array early.
    internal const string Script = """
        local i = redis.call('INFO', 'replication')
        local function f(k) return string.match(i, '\n' .. k .. ':([^\r\n]*)') or '' end
        return { f('role'), f('master_replid'), f('master_repl_offset'), f('master_replid2'), f('second_repl_offset') }
        """;

    // Redis reports a zero id when a server has no previous history.
    private const string NoReplicationId = "0000000000000000000000000000000000000000";

    public static Task<RedisResult> SendAsync(IDatabaseAsync database) =>
        database.ScriptEvaluateAsync(Script, null, null, CommandFlags.None);

    /// <summary>Reads a probe reply; <see langword="null"/> when it is not one (a proxy or an old server).</summary>
    public static ReplicationState? Parse(RedisResult result)
    {
        RedisResult[]? fields;
        try
        {
            fields = (RedisResult[]?)result;
        }
        catch (InvalidCastException)
        {
            // Not an array: something between us and Redis answered, not our script.
            return null;
        }

        return fields is null ? null : Parse(Array.ConvertAll(fields, static f => (string?)f));
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
