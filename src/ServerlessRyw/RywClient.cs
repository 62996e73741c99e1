using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

/// <summary>
/// The process-wide part of read-your-writes: connections to the primary and its replicas, and the newest
/// replication position seen on each. Create one per process and a <see cref="RywSession"/> per invocation.
/// </summary>
/// <remarks>Thread-safe. Its configuration never changes after construction.</remarks>
public sealed partial class RywClient : IDisposable
{
    private readonly IConnectionMultiplexer[] _owned;
    private readonly CoalescedProbe _primaryProbe;

    // Shared by the clients over the same primary connection; released with the client (a cluster client has none).
    private PrimaryProbeConnection? _probeConnection;

    /// <summary>Creates a client over connections the caller owns (and disposes).</summary>
    /// <param name="primary">The primary's connection; writes and fallback reads go here.</param>
    /// <param name="replicas">One connection per replica.</param>
    /// <param name="options">Routing options; validated here. <see langword="null"/> uses the defaults.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> discards them.</param>
    /// <param name="meterFactory">Creates the <c>ServerlessRyw</c> meter; <see langword="null"/> uses a private one.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RywClient(
        IConnectionMultiplexer primary,
        IEnumerable<IConnectionMultiplexer> replicas,
        RywOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(primary, replicas, options, loggerFactory, meterFactory, [], forCluster: false)
    {
    }

    private RywClient(
        IConnectionMultiplexer primary,
        IEnumerable<IConnectionMultiplexer> replicas,
        RywOptions? options,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory,
        IConnectionMultiplexer[] owned,
        bool forCluster)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(replicas);
        options ??= new RywOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid read-your-writes options: " + string.Join(" ", errors), nameof(options));
        }

        Policy = new RoutingPolicy(options);
        PrimaryNode = new RedisNode(primary);
        Replicas = new ReplicaGroup(replicas.Select(static r => (IReplicaSlot)new RedisNode(r ?? throw new ArgumentException("A replica connection is null."))).ToArray());
        _owned = owned;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ServerlessRyw");
        Telemetry = new RywTelemetry(meterFactory);
        _primaryProbe = new CoalescedProbe(SendPrimaryProbeAsync);
        if (forCluster)
        {
            // Shard primaries are probed over the cluster connection (see ClusterTopology), not over a single primary's.
            Cluster = new ClusterTopology(primary, Policy, Logger, Telemetry);
            Router = new ClusterRouter(this, Cluster);
        }
        else
        {
            _probeConnection = PrimaryProbeConnection.Acquire(primary, PrimaryProbeConfiguration, Logger);
            Router = new SinglePrimaryRouter(this);
        }
    }

    /// <summary>The meter name to subscribe to for the <c>ryw.*</c> instruments.</summary>
    public static string MeterName => RywTelemetry.MeterName;

    /// <summary>The routing mode.</summary>
    public RywMode Mode => Policy.Mode;

    /// <summary>Counters since the client was created: reads by outcome, rejected tokens, waits.</summary>
    public RywStatistics Statistics => Telemetry.Snapshot();

    internal RoutingPolicy Policy { get; }

    internal RedisNode PrimaryNode { get; }

    /// <summary>Where sessions' reads and writes go: chosen for the topology when the client is built.</summary>
    internal SessionRouter Router { get; }

    /// <summary>The toolkit's own connection for primary probes; <see langword="null"/> for a cluster or once disposed.</summary>
    internal PrimaryProbeConnection? ProbeConnection => Volatile.Read(ref _probeConnection);

    /// <summary>
    /// The primary connection: the one passed in, or the one <see cref="ConnectAsync"/> opened. Writes and fallback
    /// reads use it; call <see cref="IConnectionMultiplexer.ConfigureAsync(TextWriter)"/> on it after a failover that
    /// your own tooling performed (Sentinel-aware configurations follow the new primary by themselves).
    /// </summary>
    public IConnectionMultiplexer PrimaryConnection => PrimaryNode.Connection;

    /// <summary>The primary's replicas (for a cluster, each shard has its own group).</summary>
    internal ReplicaGroup Replicas { get; }

    internal RedisNode[] ReplicaNodes => Array.ConvertAll(Replicas.Members, static m => m.Node!);

    internal ILogger Logger { get; }

    internal RywTelemetry Telemetry { get; }

    /// <summary>Starts a session for one invocation, continuing from an incoming token (trusted as far as it checks out).</summary>
    /// <param name="incoming">The token that arrived with the invocation, or <see langword="default"/>.</param>
    /// <returns>A new session; cheap, not thread-safe for concurrent writes of the same key order.</returns>
    public RywSession CreateSession(RywToken incoming = default)
    {
        var session = new RywSession(this);
        session.Import(incoming);
        return session;
    }

    /// <summary>Starts a session from an incoming token's text form; bad text is counted and logged, never thrown.</summary>
    /// <param name="incoming">The token text from a header or message, or <see langword="null"/>.</param>
    /// <returns>A new session.</returns>
    public RywSession CreateSession(string? incoming)
    {
        var session = new RywSession(this);
        session.Import(incoming);
        return session;
    }

    /// <summary>Closes the connections this client opened itself (not ones passed to the constructor).</summary>
    public void Dispose()
    {
        DisposeTopology();
        Interlocked.Exchange(ref _probeConnection, null)?.Release();
        Cluster?.Dispose();
        foreach (var connection in _owned)
        {
            connection.Dispose();
        }

        Telemetry.Dispose();
        Policy.Deadlines.Dispose();
    }

    /// <summary>
    /// The primary's position from a probe sent after this call began (so it covers every write answered before
    /// it), shared with every concurrent caller; bounded by <see cref="RywOptions.ReplicaTimeout"/>.
    /// </summary>
    /// <returns>The position, or <see langword="null"/> (counted and logged) when the primary did not answer in time.</returns>
    internal async ValueTask<ReplicationState?> ProbePrimaryAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await Policy.Deadlines.WaitAsync(_primaryProbe.NextAsync(), Policy.ReplicaTimeout, cancellationToken).ConfigureAwait(false) is { } state)
            {
                return state;
            }
        }
        catch (TimeoutException exception)
        {
            Telemetry.RecordProbeFailure(timedOut: true);
            Log.ProbeFailed(Logger, PrimaryNode.Name, exception);
            return null;
        }

        Telemetry.RecordProbeFailure();
        return null;
    }

    /// <summary>
    /// The database for a read that needs the primary: the application's connection, except mid-failover, when it may
    /// pick the old primary (see <see cref="PrimaryProbeConnection.DatabaseForPrimaryReadAsync"/>).
    /// </summary>
    /// <exception cref="RedisConnectionException">The application's connection sees only replicas, for longer than
    /// <see cref="RywOptions.ReplicaTimeout"/>: the read fails as a write would, rather than read a replica that may lack
    /// the session's writes.</exception>
    internal async ValueTask<IDatabase> PrimaryForReadAsync()
    {
        if (ProbeConnection is not { } own)
        {
            return PrimaryNode.Database;
        }

        if (await own.DatabaseForPrimaryReadAsync(PrimaryNode.Script, Policy.Deadlines, Policy.ReplicaTimeout).ConfigureAwait(false) is { } newest)
        {
            return newest;
        }

        var started = Policy.Time.GetTimestamp();
        while (own.SeesOnlyReplicas())
        {
            // A failover's gap: wait a little for the promoted primary, then fail the StackExchange.Redis way.
            if (Policy.Time.GetElapsedTime(started) >= Policy.ReplicaTimeout)
            {
                throw RedisFailures.NoPrimary("No primary is connected: a read that needs the primary is not sent to a replica, which may lack the session's writes.");
            }

            await Task.Delay(Policy.InitialBackoff, Policy.Time).ConfigureAwait(false);
        }

        return PrimaryNode.Database;
    }

    /// <summary>
    /// Probes the primary over the toolkit's own connection when it can answer for the application's primary (so the
    /// probe does not queue behind the application's commands), else over the application's connection; mid-failover,
    /// the newest primary (see <see cref="NewestPrimary"/>).
    /// </summary>
    private async Task<ReplicationState?> SendPrimaryProbeAsync()
    {
        var primary = PrimaryNode;
        try
        {
            var (decided, state) = ProbeConnection is { } own ? await own.ProbeAsync(primary.Script, primary.Known?.ReplicationId).ConfigureAwait(false) : default;
            if (!decided)
            {
                state = await ReplicationProbe.ProbeAsync(primary.Database, primary.Script).ConfigureAwait(false);
            }

            // Only a primary's answer counts: with the primary down, the application's connection sends the probe to a
            // replica, whose lower position would make a capture miss the write, or a token look forged.
            if (state is { IsPrimary: true })
            {
                primary.Observe(state, Policy.Time.GetTimestamp());
                return state;
            }

            if (state is not null)
            {
                Log.ProbeFailed(Logger, primary.Name, RedisFailures.NoPrimary("A replica answered the primary probe: the primary is not reachable."));
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.ProbeFailed(Logger, primary.Name, exception);
        }

        return null;
    }
}
