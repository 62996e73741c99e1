using Microsoft.Extensions.Logging;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Topology;

/// <summary>
/// Discovers replicas without Sentinel, from the primary's <c>INFO replication</c>: the attached replicas in
/// <c>state=online</c>, after an allow-list (announced addresses may be internal ones), polled every
/// <see cref="TopologyDiscovery.RefreshInterval"/>.
/// </summary>
/// <remarks>
/// INFO is sent inside a read-only script (<c>EVAL</c>, not cached) so that it travels the primary's ordinary data
/// connection: it needs no admin permission, follows whichever server the multiplexer holds as primary, and is
/// answered by the primary, never by a replica. When the answering server reports <c>role:slave</c>, the refresh
/// fails (the last known topology is kept) rather than proposing another server's replicas.
/// </remarks>
internal sealed class PrimaryReplicaDiscovery : TopologyDiscovery
{
    private const string LegacyScript = "return redis.call('INFO','replication')";
    private const string FlaggedScript = "#!lua flags=no-writes\n" + LegacyScript;

    private readonly IConnectionMultiplexer _primary;
    private readonly EndPointAllowList _allowList;
    private readonly ProbeScript _script = new(FlaggedScript, LegacyScript);

    /// <summary>Creates the discovery; it reads nothing until <see cref="TopologyDiscovery.Start"/> or <see cref="TopologyDiscovery.RefreshAsync"/>.</summary>
    /// <param name="primary">The primary's connection (not owned: disposing the discovery leaves it open).</param>
    /// <param name="allowList">Filters and maps the announced replica addresses; <see langword="null"/> allows all.</param>
    /// <param name="refreshInterval">How often to poll; <see langword="null"/> for the default (5 s).</param>
    /// <param name="refreshTimeout">The bound on one refresh; <see langword="null"/> for the default (2 s).</param>
    /// <param name="logger">Where to log; <see langword="null"/> logs nothing.</param>
    /// <param name="time">The clock; <see langword="null"/> for the system clock.</param>
    public PrimaryReplicaDiscovery(
        IConnectionMultiplexer primary,
        EndPointAllowList? allowList = null,
        TimeSpan? refreshInterval = null,
        TimeSpan? refreshTimeout = null,
        ILogger? logger = null,
        TimeProvider? time = null)
        : base(TopologySource.Primary, refreshInterval, refreshTimeout, logger, time)
    {
        _primary = primary ?? throw new ArgumentNullException(nameof(primary));
        _allowList = allowList ?? EndPointAllowList.AllowAll;
    }

    /// <summary>Creates the discovery with the options' allow-list and intervals.</summary>
    /// <param name="primary">The primary's connection (not owned).</param>
    /// <param name="options">The topology options.</param>
    /// <param name="logger">Where to log; <see langword="null"/> logs nothing.</param>
    /// <param name="time">The clock; <see langword="null"/> for the system clock.</param>
    public PrimaryReplicaDiscovery(IConnectionMultiplexer primary, RywTopologyOptions options, ILogger? logger = null, TimeProvider? time = null)
        : this(
            primary,
            (options ?? throw new ArgumentNullException(nameof(options))).CreateAllowList(),
            options.RefreshInterval,
            options.RefreshTimeout,
            logger,
            time)
    {
    }

    private protected override async Task<TopologySnapshot> ReadAsync(CancellationToken deadline)
    {
        string info = await ReadInfoAsync(deadline).ConfigureAwait(false);
        ReplicationInfo replication = ReplicationInfo.Parse(info, _allowList);
        if (replication.Role != "master")
        {
            throw new InvalidOperationException(
                $"The primary connection was answered by a server with role '{replication.Role}', not a primary; keeping the last known replicas.");
        }

        if (replication.Rejected > 0)
        {
            Log.ReplicasLeftOut(Logger, Source, replication.Rejected);
        }

        string? primaryEndPoint = FindPrimaryEndPoint();
        var replicas = replication.Replicas
            .Where(r => !string.Equals(r.EndPoint, primaryEndPoint, StringComparison.OrdinalIgnoreCase))
            .ToList();
        return new TopologySnapshot(TopologySource.Primary, TopologyStatus.Current, primaryEndPoint, replicas, -1, primaryEndPoint, Time.GetUtcNow());
    }

    private async Task<string> ReadInfoAsync(CancellationToken deadline)
    {
        IDatabase database = _primary.GetDatabase();
        while (true)
        {
            // NoScriptCache sends the script text (EVAL), so no EVALSHA / NOSCRIPT round trip; DemandMaster keeps
            // a multiplexer that also lists replicas from answering on one.
            Task<RedisResult> evaluating = database.ScriptEvaluateAsync(_script.Source, null, null, CommandFlags.NoScriptCache | CommandFlags.DemandMaster);
            try
            {
                RedisResult result = await evaluating.WaitAsync(deadline).ConfigureAwait(false);
                return result.ToString() ?? string.Empty;
            }
            catch (OperationCanceledException)
            {
                Routing.DeadlineWheel.ObserveLater(evaluating);
                throw;
            }
            catch (RedisServerException refused) when (_script.FallBackIfRefused(refused))
            {
                // Redis before 7 does not know script flags: the legacy script is read-only all the same.
            }
        }
    }

    private string? FindPrimaryEndPoint()
    {
        // The connected non-replica server is the one DemandMaster sent the script to.
        foreach (System.Net.EndPoint endPoint in _primary.GetEndPoints())
        {
            IServer server = _primary.GetServer(endPoint);
            if (server.IsConnected && !server.IsReplica)
            {
                return TopologyEndPoints.Format(endPoint);
            }
        }

        return null;
    }
}
