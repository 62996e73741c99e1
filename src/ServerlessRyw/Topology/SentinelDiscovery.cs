using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ServerlessRyw.Topology;

/// <summary>
/// Follows a Sentinel-monitored service: the primary from <c>SENTINEL MASTER</c>, the replicas from
/// <c>SENTINEL REPLICAS</c> (only those Sentinel sees up with their link <c>ok</c>), refreshed on Sentinel's
/// events (<c>+switch-master</c>, <c>+slave</c>, <c>±sdown</c>, <c>+reboot</c>, ...) and polled as a fallback.
/// </summary>
/// <remarks>
/// Every configured sentinel is asked at once; when they disagree (mid-failover), the answer with the highest
/// <c>config-epoch</c> wins, since the epoch grows with every failover, then the first sentinel in configuration order.
/// </remarks>
internal sealed class SentinelDiscovery : TopologyDiscovery
{
    // Events that can change the primary or which replicas are usable. Sentinel publishes each on its own channel.
    private static readonly string[] EventChannels =
    [
        "+switch-master", "+slave", "+sdown", "-sdown", "+odown", "-odown", "+reboot",
        "+convert-to-slave", "+slave-reconf-done", "+failover-end", "+role-change", "-role-change",
    ];

    private readonly SentinelConfiguration _configuration;
    private readonly EndPointAllowList _allowList;
    private readonly Lock _connectGate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private volatile bool _subscribed;

    /// <summary>Creates the discovery; nothing connects until <see cref="TopologyDiscovery.Start"/> or <see cref="TopologyDiscovery.RefreshAsync"/>.</summary>
    /// <param name="configuration">Sentinels and service, e.g. <c>"127.0.0.1:26379,127.0.0.1:26380,serviceName=mymaster"</c>.</param>
    /// <param name="allowList">Filters and maps the replica addresses Sentinel reports; <see langword="null"/> allows all.</param>
    /// <param name="refreshInterval">How often to poll; <see langword="null"/> for the default (5 s).</param>
    /// <param name="refreshTimeout">The bound on one refresh; <see langword="null"/> for the default (2 s).</param>
    /// <param name="logger">Where to log; <see langword="null"/> logs nothing.</param>
    /// <param name="time">The clock; <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">The configuration string is unusable (see <see cref="RywTopologyOptions.Validate"/>).</exception>
    public SentinelDiscovery(
        string configuration,
        EndPointAllowList? allowList = null,
        TimeSpan? refreshInterval = null,
        TimeSpan? refreshTimeout = null,
        ILogger? logger = null,
        TimeProvider? time = null)
        : base(TopologySource.Sentinel, refreshInterval, refreshTimeout, logger, time)
    {
        _configuration = SentinelConfiguration.TryParse(configuration, out string? error)
            ?? throw new ArgumentException(error, nameof(configuration));
        _allowList = allowList ?? EndPointAllowList.AllowAll;

        // Connecting must fit in one refresh, so a dead sentinel cannot stall discovery for SE.Redis' default 5 s.
        _configuration.Options.ConnectTimeout = (int)Math.Clamp(RefreshTimeout.TotalMilliseconds, 1, int.MaxValue);
        _configuration.Options.SyncTimeout = _configuration.Options.ConnectTimeout;
        _configuration.Options.AsyncTimeout = _configuration.Options.ConnectTimeout;
    }

    /// <summary>Creates the discovery from <see cref="RywTopologyOptions.Sentinel"/> and the options' allow-list and intervals.</summary>
    /// <param name="options">Options with <see cref="RywTopologyOptions.Sentinel"/> set.</param>
    /// <param name="logger">Where to log; <see langword="null"/> logs nothing.</param>
    /// <param name="time">The clock; <see langword="null"/> for the system clock.</param>
    public SentinelDiscovery(RywTopologyOptions options, ILogger? logger = null, TimeProvider? time = null)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).Sentinel ?? string.Empty,
            options.CreateAllowList(),
            options.RefreshInterval,
            options.RefreshTimeout,
            logger,
            time)
    {
    }

    /// <summary>The monitored service (master name).</summary>
    public string ServiceName => _configuration.ServiceName;

    /// <summary>The sentinels asked, as <c>host:port</c>.</summary>
    public IReadOnlyList<string> Sentinels => _configuration.Sentinels;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Task<ConnectionMultiplexer>? connecting;
        lock (_connectGate)
        {
            connecting = _connecting;
            _connecting = null;
        }

        // A connect still running is closed when it completes.
        _ = connecting?.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private protected override async Task<TopologySnapshot> ReadAsync(CancellationToken deadline)
    {
        ConnectionMultiplexer sentinels = await ConnectAsync(deadline).ConfigureAwait(false);
        if (!_subscribed)
        {
            await TrySubscribeAsync(sentinels, deadline).ConfigureAwait(false);
        }

        (string Sentinel, SentinelView? View, Exception? Error)[] answers =
            await Task.WhenAll(_configuration.Sentinels.Select(s => AskAsync(sentinels, s, deadline))).ConfigureAwait(false);

        // Caught by the refresh and kept as the snapshot's LastError, never thrown to callers.
        var answered = answers.Where(a => a.View is not null).ToList();
        if (answered.Count == 0)
        {
            string reasons = string.Join("; ", answers.Select(a => $"{a.Sentinel}: {a.Error?.Message ?? "no address in reply"}"));
            throw new InvalidOperationException($"No sentinel answered about '{ServiceName}' ({reasons}).");
        }

        // OrderBy is stable: among equal epochs the first sentinel in configuration order wins.
        var best = answered.OrderByDescending(a => a.View!.ConfigEpoch).First();
        SentinelView view = best.View!;
        foreach (var other in answered.Where(a => !string.Equals(a.View!.PrimaryEndPoint, view.PrimaryEndPoint, StringComparison.OrdinalIgnoreCase)).Take(1))
        {
            Log.SentinelsDisagree(Logger, ServiceName, view.PrimaryEndPoint, view.ConfigEpoch, best.Sentinel, other.View!.PrimaryEndPoint, other.View.ConfigEpoch);
        }

        if (view.Rejected > 0)
        {
            Log.ReplicasLeftOut(Logger, Source, view.Rejected);
        }

        // The primary itself never doubles as a replica candidate, even if a stale replica entry names it.
        var replicas = view.Replicas.Where(r => !string.Equals(r.EndPoint, view.PrimaryEndPoint, StringComparison.OrdinalIgnoreCase)).ToList();
        return new TopologySnapshot(TopologySource.Sentinel, TopologyStatus.Current, view.PrimaryEndPoint, replicas, view.ConfigEpoch, best.Sentinel, Time.GetUtcNow());
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken deadline)
    {
        Task<ConnectionMultiplexer> connecting;
        lock (_connectGate)
        {
            ObjectDisposedException.ThrowIf(Stopping.IsCancellationRequested, this);

            // With AbortOnConnectFail off, the multiplexer comes back even when no sentinel is up and reconnects by
            // itself: one is made for the discovery's lifetime, and only a connect that threw is tried again.
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                _connecting = ConnectionMultiplexer.ConnectAsync(_configuration.Options);
            }

            connecting = _connecting;
        }

        try
        {
            return await connecting.WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Routing.DeadlineWheel.ObserveLater(connecting);
            throw;
        }
    }

    private async Task TrySubscribeAsync(ConnectionMultiplexer sentinels, CancellationToken deadline)
    {
        try
        {
            ISubscriber subscriber = sentinels.GetSubscriber();
            foreach (string channel in EventChannels)
            {
                Task subscribing = subscriber.SubscribeAsync(new RedisChannel(channel, RedisChannel.PatternMode.Literal), OnEvent);
                try
                {
                    await subscribing.WaitAsync(deadline).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Routing.DeadlineWheel.ObserveLater(subscribing);
                    throw;
                }
            }

            _subscribed = true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException && !Stopping.IsCancellationRequested)
        {
            // Polling still follows the topology; the next refresh tries to subscribe again.
            Log.SentinelSubscribeFailed(Logger, exception);
        }
    }

    private void OnEvent(RedisChannel channel, RedisValue message)
    {
        string text = message.ToString();
        if (SentinelReplies.ConcernsService(text, ServiceName))
        {
            Log.SentinelEvent(Logger, channel.ToString(), text);
            RequestRefresh();
        }
    }

    private async Task<(string Sentinel, SentinelView? View, Exception? Error)> AskAsync(ConnectionMultiplexer sentinels, string sentinel, CancellationToken deadline)
    {
        Task<System.Net.EndPoint?>? address = null;
        Task<KeyValuePair<string, string>[]>? master = null;
        Task<KeyValuePair<string, string>[][]>? replicas = null;
        try
        {
            IServer server = sentinels.GetServer(sentinel);

            // Pipelined on one connection, so the three answers describe (nearly) the same moment.
            address = server.SentinelGetMasterAddressByNameAsync(ServiceName);
            master = server.SentinelMasterAsync(ServiceName);
            replicas = server.SentinelReplicasAsync(ServiceName);
            System.Net.EndPoint? addressReply = await address.WaitAsync(deadline).ConfigureAwait(false);
            KeyValuePair<string, string>[] masterReply = await master.WaitAsync(deadline).ConfigureAwait(false);
            KeyValuePair<string, string>[][] replicaReplies = await replicas.WaitAsync(deadline).ConfigureAwait(false);
            string? primaryAddress = addressReply is null ? null : TopologyEndPoints.Format(addressReply);
            SentinelView? view = SentinelReplies.Read(masterReply, replicaReplies, _allowList, primaryAddress);
            return (sentinel, view, null);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or OperationCanceledException or ArgumentException or InvalidOperationException)
        {
            Routing.DeadlineWheel.ObserveLater(address);
            Routing.DeadlineWheel.ObserveLater(master);
            Routing.DeadlineWheel.ObserveLater(replicas);
            Log.SentinelDidNotAnswer(Logger, sentinel, ServiceName, exception);
            return (sentinel, null, exception);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Sentinel discovery of '{ServiceName}' via {string.Join(",", Sentinels)}");
}
