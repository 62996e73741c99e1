using ServerlessRyw.Topology;

namespace ServerlessRyw.Cli.Probe;

/// <summary><c>ryw probe --sentinel</c>: asks the sentinels for the primary and healthy replicas, then probes those.</summary>
internal static class SentinelProbe
{
    public static async Task<ProbeSettings> DiscoverAsync(string sentinel, ProbeSettings settings, CancellationToken cancellationToken)
    {
        using var discovery = new SentinelDiscovery(sentinel);
        var snapshot = await discovery.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot.PrimaryEndPoint is not { } primary)
        {
            // Reported like any unreachable server (exit code 2), with what the sentinels said.
            throw new SentinelUnavailableException($"Sentinel did not name a primary for {discovery.ServiceName}: {snapshot.LastError ?? "no answer"}.");
        }

        var replicas = snapshot.Replicas.Select(static r => r.EndPoint).ToArray();
        return settings with
        {
            Primary = primary,
            Replicas = [.. settings.Replicas, .. replicas],
            Discovered = $"Discovered from Sentinel ({snapshot.AnsweredBy}, service {discovery.ServiceName}, config epoch {snapshot.ConfigEpoch}): " +
                $"primary {primary}, replicas {(replicas.Length == 0 ? "none healthy" : string.Join(", ", replicas))}.",
        };
    }
}

/// <summary>The sentinels could not name a primary; <c>ryw probe</c> reports it as an environment failure.</summary>
internal sealed class SentinelUnavailableException(string message) : Exception(message);
