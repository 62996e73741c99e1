using System.Net;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// Mid-failover, the application's connection sees two primaries for a moment: the promoted replica and the old
/// primary, which takes writes until it is demoted and then discards them. Either may get the next command, so neither
/// "the primary" StackExchange.Redis picks nor the order of commands says where a write went. What does: the promoted
/// server's history continues the old one (its <c>master_replid2</c> is the old <c>master_replid</c>), and the old
/// primary's writes from now on are lost with its demotion. So the newest primary answers for every write that survives.
/// </summary>
internal static class NewestPrimary
{
    /// <summary>
    /// Probes each server over the application's connection (each probe sent after this call began, so it covers every
    /// write that server answered before) and picks the newest primary.
    /// </summary>
    /// <returns>
    /// The newest primary's position and endpoint; <see langword="null"/> when no answer, or no single newest primary
    /// (unrelated histories): the caller then treats the position as unknown.
    /// </returns>
    public static async Task<(ReplicationState State, EndPoint EndPoint)?> ProbeAsync(IServer[] servers, ProbeScript script)
    {
        var probes = new Task<ReplicationState?>[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            probes[i] = ReplicationProbe.ProbeAsync(servers[i], script);
        }

        await Task.WhenAll(probes).ConfigureAwait(false);
        var states = Array.ConvertAll(probes, static p => p.Result);
        return Pick(states) is { } newest ? (states[newest]!, servers[newest].EndPoint) : null;
    }

    /// <summary>The index of the one primary no other answer supersedes; <see langword="null"/> when there is not exactly one.</summary>
    internal static int? Pick(IReadOnlyList<ReplicationState?> states)
    {
        int? newest = null;
        for (var i = 0; i < states.Count; i++)
        {
            if (states[i] is not { IsPrimary: true } candidate || IsSuperseded(candidate, states))
            {
                continue;
            }

            if (newest is not null)
            {
                return null; // two primaries of unrelated (or the same) histories: nothing says which one is newer
            }

            newest = i;
        }

        return newest;
    }

    private static bool IsSuperseded(ReplicationState candidate, IReadOnlyList<ReplicationState?> states)
    {
        foreach (var other in states)
        {
            if (other is { IsPrimary: true } && !ReferenceEquals(other, candidate)
                && string.Equals(other.PreviousReplicationId, candidate.ReplicationId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
