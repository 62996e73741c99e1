using System.Globalization;

namespace ServerlessRyw.Routing;

/// <summary>
/// Reads the text of <c>CLUSTER NODES</c>. Parsed here rather than through StackExchange.Redis's
/// <c>ClusterConfiguration</c> because that one is only refreshed when the multiplexer reconfigures, needs admin mode
/// to fetch on demand, and names its replica flag differently in 1.x and 2.x.
/// </summary>
internal static class ClusterNodesParser
{
    /// <summary>One line per node: <c>id ip:port@cport[,hostname] flags primary-id ping pong epoch link slot...</c>.</summary>
    public static IReadOnlyList<ClusterNodeInfo> Parse(string? text)
    {
        var nodes = new List<ClusterNodeInfo>();
        if (string.IsNullOrEmpty(text))
        {
            return nodes;
        }

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ParseLine(line) is { } node)
            {
                nodes.Add(node);
            }
        }

        return nodes;
    }

    private static ClusterNodeInfo? ParseLine(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 8)
        {
            return null;
        }

        var flags = parts[2].Split(',');
        var isPrimary = flags.Contains("master");
        var isReplica = flags.Contains("slave");
        var unusable = flags.Contains("fail") || flags.Contains("handshake") || flags.Contains("noaddr");
        _ = long.TryParse(parts[6], NumberStyles.None, CultureInfo.InvariantCulture, out var configEpoch);
        var slots = new List<(int Start, int End)>();
        for (var i = 8; i < parts.Length; i++)
        {
            // "[slot->-id]" / "[slot-<-id]" mark a migration in progress on the reporting node itself; the slot's
            // owner is still the one listed plainly, so they are skipped.
            if (parts[i].StartsWith('[') || TryParseRange(parts[i]) is not { } range)
            {
                continue;
            }

            slots.Add(range);
        }

        return new ClusterNodeInfo(
            parts[0],
            ToEndPoint(parts[1]),
            isPrimary,
            isReplica,
            flags.Contains("myself"),
            unusable,
            parts[3] == "-" ? null : parts[3],
            configEpoch,
            slots);
    }

    private static (int Start, int End)? TryParseRange(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var startText = dash < 0 ? text : text[..dash];
        var endText = dash < 0 ? text : text[(dash + 1)..];
        if (int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            && start <= end && end < ClusterSlots.Count)
        {
            return (start, end);
        }

        return null;
    }

    /// <summary><c>ip:port@cport[,hostname]</c> → <c>ip:port</c> (IPv6 in brackets); <see langword="null"/> without an address.</summary>
    internal static string? ToEndPoint(string address)
    {
        var at = address.IndexOf('@', StringComparison.Ordinal);
        var hostPort = at < 0 ? address : address[..at];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            return null;
        }

        var host = hostPort[..colon];
        return host.Contains(':', StringComparison.Ordinal)
            ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }
}

/// <summary>One node of a <c>CLUSTER NODES</c> reply.</summary>
/// <param name="Id">The node id.</param>
/// <param name="EndPoint"><c>host:port</c> for clients, or <see langword="null"/> when the node has no address yet.</param>
/// <param name="IsPrimary">Flagged <c>master</c>.</param>
/// <param name="IsReplica">Flagged <c>slave</c>.</param>
/// <param name="IsMyself">The node that produced the reply.</param>
/// <param name="IsUnusable">Failed (by the cluster's agreement), still in handshake, or without an address.</param>
/// <param name="PrimaryId">For a replica, its primary's id.</param>
/// <param name="ConfigEpoch">The node's config epoch: a higher one wins a slot claim.</param>
/// <param name="Slots">The slot ranges it serves (primaries only).</param>
internal sealed record ClusterNodeInfo(
    string Id,
    string? EndPoint,
    bool IsPrimary,
    bool IsReplica,
    bool IsMyself,
    bool IsUnusable,
    string? PrimaryId,
    long ConfigEpoch,
    IReadOnlyList<(int Start, int End)> Slots);
