using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Tests.Infrastructure;

/// <summary>What a server says it executed (<c>INFO commandstats</c>): evidence from the server, not the client.</summary>
public static class CommandStats
{
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(string endPoint)
    {
        var info = await RespClient.ExecuteAsync(endPoint, "INFO", "commandstats");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in RedisInfo.Parse(info))
        {
            // cmdstat_get:calls=3,usec=...
            if (key.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                var count = value.Split(',')[0].Split('=')[1];
                calls[key["cmdstat_".Length..]] = long.Parse(count, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    public static long Delta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, string command) =>
        after.GetValueOrDefault(command) - before.GetValueOrDefault(command);

    /// <summary>Scripts may arrive as EVAL or EVALSHA depending on the client's script cache.</summary>
    public static long ScriptDelta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        Delta(before, after, "eval") + Delta(before, after, "evalsha");
}
