using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using ServerlessRyw.Cli.Probe;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Topology;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Demo;

/// <summary>What <c>ryw demo --sentinel</c> ran against.</summary>
/// <param name="RedisVersion">The primary's <c>redis_version</c>, when the demo started the servers.</param>
/// <param name="Configuration">The sentinel configuration string the clients were given.</param>
/// <param name="ServiceName">The monitored master name.</param>
/// <param name="Local">Whether the demo started the sentinels and data nodes itself.</param>
/// <param name="Nodes">The data nodes it started.</param>
/// <param name="Pause">How long each replication pause on a replica lasts; <see langword="null"/> when none are made.</param>
/// <param name="PauseEvery">How often each replica's replication is paused.</param>
internal sealed record DemoSentinelTopology(
    string? RedisVersion, string Configuration, string ServiceName, bool Local, IReadOnlyList<string> Nodes, TimeSpan? Pause, TimeSpan PauseEvery);

/// <summary>The Sentinel deployment the demo runs against: its own local one, or the user's.</summary>
internal abstract class DemoSentinels : IAsyncDisposable
{
    private readonly SentinelDiscovery _discovery;

    protected DemoSentinels(string configuration)
    {
        _discovery = new SentinelDiscovery(configuration);
    }

    public abstract DemoSentinelTopology Topology { get; }

    public string Configuration => Topology.Configuration;

    public string ServiceName => _discovery.ServiceName;

    /// <summary>The primary the sentinels name now.</summary>
    public async Task<string> PrimaryAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _discovery.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.PrimaryEndPoint
            ?? throw new SentinelUnavailableException($"Sentinel did not name a primary for {_discovery.ServiceName}: {snapshot.LastError?.TrimEnd('.') ?? "no answer"}.");
    }

    /// <summary>Asks for <c>SENTINEL FAILOVER</c> and waits until the sentinels name another primary.</summary>
    /// <returns>How long that took.</returns>
    public abstract Task<TimeSpan> FailoverAsync(CancellationToken cancellationToken);

    /// <summary>Makes replicas lag until the returned task's token is cancelled; a no-op on the user's deployment.</summary>
    public abstract Task LagAsync(CancellationToken stop);

    /// <summary>Waits until the deployment is steady again after a failover (the old primary replicating).</summary>
    public abstract Task SettleAsync(CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        _discovery.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected async Task WaitForAnotherPrimaryAsync(string old, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (await PrimaryAsync(cancellationToken).ConfigureAwait(false) == old)
        {
            if (clock.Elapsed > timeout)
            {
                throw new SentinelUnavailableException(
                    string.Create(CultureInfo.InvariantCulture, $"The sentinels still named {old} as the primary of {ServiceName} {timeout.TotalSeconds:0} s after SENTINEL FAILOVER."));
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Three local sentinels, a primary and two replicas (<see cref="LocalSentinelSet"/>). Sentinel announces the real
/// addresses, so a delaying proxy cannot sit in the replication link: lag comes from <c>CLIENT PAUSE &lt;lag&gt; WRITE</c>
/// bursts on every replica, which hold the replication stream from the primary while reads are still served.
/// </summary>
internal sealed class LocalDemoSentinels : DemoSentinels
{
    private static readonly TimeSpan PauseGap = TimeSpan.FromMilliseconds(50);

    private readonly LocalSentinelSet _set;

    private LocalDemoSentinels(LocalSentinelSet set, DemoSentinelTopology topology)
        : base(set.SentinelConfiguration)
    {
        _set = set;
        Topology = topology;
    }

    public override DemoSentinelTopology Topology { get; }

    public static async Task<LocalDemoSentinels> StartAsync(DemoSettings settings, CancellationToken cancellationToken)
    {
        var set = await LocalSentinelSet.StartAsync(
            replicas: 2,
            new LocalSentinelSetOptions { Server = new RedisServerOptions { ExecutablePath = settings.RedisServerPath } },
            cancellationToken).ConfigureAwait(false);
        try
        {
            var info = await RespClient.ExecuteAsync(set.Primary.EndPoint, ["INFO", "server"], cancellationToken).ConfigureAwait(false);
            var topology = new DemoSentinelTopology(
                RedisInfo.Parse(info).GetValueOrDefault("redis_version", "?"),
                set.SentinelConfiguration,
                set.ServiceName,
                Local: true,
                [.. set.Nodes.Select(n => n.EndPoint)],
                settings.Lag > TimeSpan.Zero ? settings.Lag : null,
                settings.Lag + PauseGap);
            return new LocalDemoSentinels(set, topology);
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async Task<TimeSpan> FailoverAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await _set.FailoverAsync(cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public override async Task LagAsync(CancellationToken stop)
    {
        if (Topology.Pause is not { } pause)
        {
            return;
        }

        var milliseconds = ((long)pause.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        while (!stop.IsCancellationRequested)
        {
            // Whatever the sentinels currently call replicas: after a failover the demoted primary lags too.
            foreach (var replica in _set.Replicas.Where(r => r.IsRunning))
            {
                try
                {
                    await RespClient.ExecuteAsync(replica.EndPoint, ["CLIENT", "PAUSE", milliseconds, "WRITE"], stop).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or SocketException or RespProtocolException or RedisErrorReplyException)
                {
                    // A node mid-failover may drop or refuse the pause: that burst is skipped.
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(Topology.PauseEvery, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override Task SettleAsync(CancellationToken cancellationToken) => _set.WaitForSentinelsToAgreeAsync(cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        await _set.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The user's sentinels: no servers started, no lag injected, a failover only with <c>--failover</c>.</summary>
internal sealed class ExistingDemoSentinels(string configuration) : DemoSentinels(configuration)
{
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(60);

    private string? _lastError;

    public override DemoSentinelTopology Topology { get; } = new(
        null,
        configuration,
        SentinelConfiguration.TryParse(configuration, out _)?.ServiceName ?? "?",
        Local: false,
        [],
        null,
        TimeSpan.Zero);

    public override async Task<TimeSpan> FailoverAsync(CancellationToken cancellationToken)
    {
        var sentinel = SentinelConfiguration.TryParse(Configuration, out var error) ?? throw new ArgumentException(error);
        var old = await PrimaryAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var connection = await ConnectionMultiplexer.ConnectAsync(sentinel.Options).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // NOGOODSLAVE / INPROG right after an earlier failover: the sentinels have not settled yet, so ask again.
            while (!await TryFailoverAsync(connection, sentinel.ServiceName).ConfigureAwait(false))
            {
                if (clock.Elapsed > FailoverTimeout)
                {
                    throw new SentinelUnavailableException($"No sentinel accepted SENTINEL FAILOVER {sentinel.ServiceName} within {FailoverTimeout.TotalSeconds:0} s: {_lastError}");
                }

                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }

        await WaitForAnotherPrimaryAsync(old, FailoverTimeout, cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public override Task LagAsync(CancellationToken stop) => Task.CompletedTask;

    public override Task SettleAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> TryFailoverAsync(ConnectionMultiplexer connection, string serviceName)
    {
        foreach (var endPoint in connection.GetEndPoints())
        {
            try
            {
                await connection.GetServer(endPoint).SentinelFailoverAsync(serviceName).ConfigureAwait(false);
                return true;
            }
            catch (RedisException exception)
            {
                _lastError = exception.Message;
            }
        }

        return false;
    }
}
