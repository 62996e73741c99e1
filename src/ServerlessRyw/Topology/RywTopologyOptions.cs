using ServerlessRyw.Topology;

namespace ServerlessRyw;

/// <summary>
/// Where the primary and replicas come from when they are not (only) fixed connection strings: Redis Sentinel, or
/// the primary's own list of attached replicas. Discovery only proposes candidates; every replica is still checked
/// against the token's replication history before it serves a read.
/// </summary>
public sealed class RywTopologyOptions
{
    /// <summary>The upper bound accepted for <see cref="RefreshInterval"/>.</summary>
    public static TimeSpan MaxRefreshInterval { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The lower bound accepted for <see cref="RefreshInterval"/>: polling faster only loads the servers.</summary>
    public static TimeSpan MinRefreshInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The sentinels and the service, as a StackExchange.Redis configuration string, e.g.
    /// <c>"10.0.0.1:26379,10.0.0.2:26379,serviceName=mymaster"</c> (a host without a port means 26379; password,
    /// user and ssl options apply to the sentinel connections). <value>Default: <see langword="null"/> (no Sentinel).</value>
    /// </summary>
    public string? Sentinel { get; set; }

    /// <summary>
    /// Whether to read the replicas from the primary's <c>INFO replication</c> (without Sentinel). Fixed replicas in
    /// <see cref="RywOptions.Replicas"/> keep working alongside. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool DiscoverReplicas { get; set; }

    /// <summary>
    /// The only replica endpoints (<c>host:port</c>, after <see cref="ReplicaHostMap"/>) discovery may propose.
    /// <value>Default: empty (every announced replica is proposed).</value>
    /// </summary>
    public IList<string> AllowedReplicaEndPoints { get; } = new List<string>();

    /// <summary>
    /// Announced host → host to connect to, for replicas that announce an internal address.
    /// <value>Default: empty.</value>
    /// </summary>
    public IDictionary<string, string> ReplicaHostMap { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How often the topology is polled. With Sentinel, its events trigger a refresh at once and polling is the
    /// fallback for lost events. <value>Default: 5 seconds.</value>
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest one refresh may take (connect and commands together) before it counts as failed and the last known
    /// topology is kept. <value>Default: 2 seconds.</value>
    /// </summary>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether any discovery is configured.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Sentinel) || DiscoverReplicas;

    /// <summary>Lists what is wrong with these options; empty when they are valid.</summary>
    /// <returns>One message per problem.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Sentinel is not null && SentinelConfiguration.TryParse(Sentinel, out string? sentinelError) is null)
        {
            errors.Add($"{nameof(Sentinel)}: {sentinelError}");
        }

        if (!string.IsNullOrWhiteSpace(Sentinel) && DiscoverReplicas)
        {
            errors.Add($"Set either {nameof(Sentinel)} or {nameof(DiscoverReplicas)}: Sentinel already lists the replicas.");
        }

        foreach (string endPoint in AllowedReplicaEndPoints)
        {
            if (TopologyEndPoints.Normalize(endPoint) is null)
            {
                errors.Add($"{nameof(AllowedReplicaEndPoints)} entry '{endPoint}' is not in the form host:port.");
            }
        }

        if (ReplicaHostMap.Any(p => string.IsNullOrWhiteSpace(p.Key) || string.IsNullOrWhiteSpace(p.Value)))
        {
            errors.Add($"{nameof(ReplicaHostMap)} needs a non-empty host on both sides of every mapping.");
        }

        if (RefreshInterval < MinRefreshInterval || RefreshInterval > MaxRefreshInterval)
        {
            errors.Add($"{nameof(RefreshInterval)} must be between {MinRefreshInterval.TotalMilliseconds} ms and {MaxRefreshInterval.TotalMinutes} minutes; it is {RefreshInterval}.");
        }

        if (RefreshTimeout <= TimeSpan.Zero || RefreshTimeout > RywOptions.MaxWaitBudget)
        {
            errors.Add($"{nameof(RefreshTimeout)} must be above 0 and at most {RywOptions.MaxWaitBudget.TotalSeconds} s; it is {RefreshTimeout}.");
        }

        return errors;
    }

    /// <summary>The allow-list these options describe.</summary>
    /// <returns>A filter built from <see cref="AllowedReplicaEndPoints"/> and <see cref="ReplicaHostMap"/>.</returns>
    internal EndPointAllowList CreateAllowList() => new(AllowedReplicaEndPoints, ReplicaHostMap);
}
