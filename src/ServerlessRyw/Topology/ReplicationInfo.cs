using System.Globalization;

namespace ServerlessRyw.Topology;

/// <summary>What a primary's <c>INFO replication</c> says about its role and attached replicas.</summary>
/// <param name="Role">The <c>role:</c> field (<c>master</c> or <c>slave</c>); empty when missing.</param>
/// <param name="Replicas">The attached replicas in <c>state=online</c>, after the allow-list.</param>
/// <param name="Rejected">How many listed replicas were not online, did not parse, or were not allowed.</param>
internal sealed record ReplicationInfo(string Role, IReadOnlyList<ReplicaCandidate> Replicas, int Rejected)
{
    /// <summary>
    /// Parses the text; replica lines read <c>slave0:ip=10.0.0.5,port=6379,state=online,offset=123,lag=0</c>.
    /// Replicas still in <c>wait_bgsave</c>/<c>send_bulk</c> have no data yet and are left out.
    /// </summary>
    public static ReplicationInfo Parse(string? info, EndPointAllowList allowList)
    {
        string role = string.Empty;
        var replicas = new List<ReplicaCandidate>();
        int rejected = 0;
        foreach (string rawLine in (info ?? string.Empty).Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] == '#')
            {
                continue;
            }

            string name = line[..colon];
            string value = line[(colon + 1)..];
            if (name == "role")
            {
                role = value.Trim();
            }
            else if (IsReplicaLine(name))
            {
                if (TryReadReplica(value, allowList, out ReplicaCandidate? candidate))
                {
                    replicas.Add(candidate);
                }
                else
                {
                    rejected++;
                }
            }
        }

        return new ReplicationInfo(role, replicas, rejected);
    }

    // "slave0", "slave1", ... but not "slave_repl_offset" or "slave_read_only" (those are a replica's own fields).
    private static bool IsReplicaLine(string name) =>
        name.Length > 5 && name.StartsWith("slave", StringComparison.Ordinal) && name.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0;

    private static bool TryReadReplica(string value, EndPointAllowList allowList, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ReplicaCandidate? candidate)
    {
        candidate = null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
            }
        }

        if (!fields.TryGetValue("ip", out string? host) || string.IsNullOrWhiteSpace(host)
            || !int.TryParse(fields.GetValueOrDefault("port"), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535
            || fields.GetValueOrDefault("state") != "online"
            || !allowList.TryAdmit(host, port, out string endPoint))
        {
            return false;
        }

        long offset = long.TryParse(fields.GetValueOrDefault("offset"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long o) ? o : -1;
        candidate = new ReplicaCandidate(endPoint, "state=online", offset);
        return true;
    }
}
