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

    /// <summary>
    /// Position probes the server ran between two snapshots: every probe runs <c>INFO replication</c> once, sent as
    /// it is or called by the probe script (a call from a script counts as that command too). The first snapshot's
    /// own <c>INFO commandstats</c> is counted in the second, so one <c>INFO</c> is not a probe.
    /// </summary>
    public static long ProbeDelta(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after) =>
        Delta(before, after, "info") - 1;
}
