using System.Globalization;

namespace ServerlessRyw.Topology;

/// <summary>One sentinel's view of the service: its primary and the replicas it would propose.</summary>
internal sealed record SentinelView(string PrimaryEndPoint, string PrimaryFlags, long ConfigEpoch, IReadOnlyList<ReplicaCandidate> Replicas, int Rejected);

/// <summary>Reads the field/value replies of <c>SENTINEL MASTER</c> and <c>SENTINEL REPLICAS</c>, and Sentinel's event messages.</summary>
internal static class SentinelReplies
{
    // A replica flagged with any of these is down or unreachable as far as Sentinel knows: never proposed.
    private static readonly string[] UnusableFlags = ["s_down", "o_down", "disconnected"];

    /// <summary>The view in one sentinel's answers, or <see langword="null"/> when no primary address is known.</summary>
    /// <param name="master">The <c>SENTINEL MASTER</c> reply.</param>
    /// <param name="replicas">The <c>SENTINEL REPLICAS</c> reply.</param>
    /// <param name="allowList">Maps and filters the replica addresses.</param>
    /// <param name="primaryAddress">
    /// The <c>SENTINEL GET-MASTER-ADDR-BY-NAME</c> answer, preferred over the master reply's address: the sentinel
    /// leading a failover names the promoted replica there as soon as it is promoted, while its <c>SENTINEL MASTER</c>
    /// keeps the old address until the failover ends (about a second later here).
    /// </param>
    public static SentinelView? Read(
        IReadOnlyList<KeyValuePair<string, string>> master,
        IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> replicas,
        EndPointAllowList allowList,
        string? primaryAddress = null)
    {
        Dictionary<string, string> primary = ToMap(master);
        string primaryEndPoint;
        if (TopologyEndPoints.Normalize(primaryAddress) is string byName)
        {
            primaryEndPoint = byName;
        }
        else if (!TryEndPoint(primary, "ip", "port", out primaryEndPoint))
        {
            return null;
        }

        long epoch = ReadLong(primary, "config-epoch");
        var candidates = new List<ReplicaCandidate>();
        int rejected = 0;
        foreach (IReadOnlyList<KeyValuePair<string, string>> reply in replicas)
        {
            Dictionary<string, string> fields = ToMap(reply);
            if (IsUsableReplica(fields)
                && fields.TryGetValue("ip", out string? host)
                && int.TryParse(fields.GetValueOrDefault("port"), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
                && allowList.TryAdmit(host, port, out string endPoint))
            {
                candidates.Add(new ReplicaCandidate(endPoint, fields.GetValueOrDefault("flags", string.Empty), ReadLong(fields, "slave-repl-offset")));
            }
            else
            {
                rejected++;
            }
        }

        return new SentinelView(primaryEndPoint, primary.GetValueOrDefault("flags", string.Empty), epoch, candidates, rejected);
    }

    /// <summary>
    /// Whether Sentinel sees the replica as up and replicating: flagged a replica, none of
    /// <c>s_down</c>/<c>o_down</c>/<c>disconnected</c>, and its link to the primary <c>ok</c>.
    /// </summary>
    public static bool IsUsableReplica(IReadOnlyDictionary<string, string> fields)
    {
        string[] flags = fields.GetValueOrDefault("flags", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return flags.Contains("slave", StringComparer.Ordinal)
            && !flags.Any(f => UnusableFlags.Contains(f, StringComparer.Ordinal))
            && string.Equals(fields.GetValueOrDefault("master-link-status"), "ok", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether a Sentinel event message is about <paramref name="serviceName"/>: <c>+switch-master</c> starts with the
    /// name; instance events read <c>master &lt;name&gt; ip port</c> or <c>&lt;type&gt; &lt;id&gt; ip port @ &lt;name&gt; ip port</c>.
    /// </summary>
    public static bool ConcernsService(string? message, string serviceName)
    {
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        string[] words = message.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return false;
        }

        if (string.Equals(words[0], serviceName, StringComparison.Ordinal)
            || (words.Length > 1 && words[0] == "master" && string.Equals(words[1], serviceName, StringComparison.Ordinal)))
        {
            return true;
        }

        int at = Array.IndexOf(words, "@");
        return at >= 0 && at + 1 < words.Length && string.Equals(words[at + 1], serviceName, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ToMap(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string value) in pairs)
        {
            if (key is not null)
            {
                map[key] = value ?? string.Empty;
            }
        }

        return map;
    }

    private static bool TryEndPoint(Dictionary<string, string> fields, string hostField, string portField, out string endPoint)
    {
        endPoint = string.Empty;
        if (!fields.TryGetValue(hostField, out string? host) || string.IsNullOrWhiteSpace(host)
            || !int.TryParse(fields.GetValueOrDefault(portField), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        endPoint = TopologyEndPoints.Format(host, port);
        return true;
    }

    private static long ReadLong(Dictionary<string, string> fields, string name) =>
        long.TryParse(fields.GetValueOrDefault(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : -1;
}
