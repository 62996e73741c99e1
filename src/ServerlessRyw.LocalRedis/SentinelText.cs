namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Reads Sentinel replies as <see cref="RespClient"/> renders them (field and value lines, nested arrays flattened).
/// </summary>
internal static class SentinelText
{
    /// <summary>The field/value records of <c>SENTINEL REPLICAS</c> / <c>SENTINEL SENTINELS</c>; each record starts with <c>name</c>.</summary>
    public static List<Dictionary<string, string>> ParseRecords(string? flattened)
    {
        var records = new List<Dictionary<string, string>>();
        string[] lines = (flattened ?? string.Empty).Split('\n');
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            if (lines[i] == "name" || records.Count == 0)
            {
                records.Add(new Dictionary<string, string>(StringComparer.Ordinal));
            }

            records[^1][lines[i]] = lines[i + 1];
        }

        return records;
    }

    /// <summary>The field/value pairs of <c>SENTINEL MASTER</c>.</summary>
    public static Dictionary<string, string> ParseRecord(string? flattened) =>
        ParseRecords(flattened).FirstOrDefault() ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Whether a <c>SENTINEL REPLICAS</c> record is up and replicating.</summary>
    public static bool IsHealthyReplica(IReadOnlyDictionary<string, string> record)
    {
        string[] flags = record.GetValueOrDefault("flags", string.Empty).Split(',');
        return flags.Contains("slave") && !flags.Contains("s_down") && !flags.Contains("o_down") && !flags.Contains("disconnected")
            && record.GetValueOrDefault("master-link-status") == "ok";
    }

    public static string EndPointOf(IReadOnlyDictionary<string, string> record) =>
        $"{record.GetValueOrDefault("ip")}:{record.GetValueOrDefault("port")}";
}
