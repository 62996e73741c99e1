namespace ServerlessRyw.LocalRedis;

/// <summary>Parses the <c>field:value</c> text that the Redis <c>INFO</c> command returns.</summary>
public static class RedisInfo
{
    /// <summary>Parses <c>INFO</c> output into a field → value map; section headers and blank lines are skipped.</summary>
    /// <param name="info">The text returned by <c>INFO</c> or <c>INFO &lt;section&gt;</c>.</param>
    /// <returns>The fields, compared ordinally. A field repeated in several sections keeps its last value.</returns>
    public static IReadOnlyDictionary<string, string> Parse(string? info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (info is null)
        {
            return fields;
        }

        foreach (string rawLine in info.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int separator = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || separator <= 0)
            {
                continue;
            }

            fields[line[..separator]] = line[(separator + 1)..];
        }

        return fields;
    }
}
