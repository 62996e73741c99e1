using System.Globalization;
using System.Text;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A local primary with replicas, all real <c>redis-server</c> processes on 127.0.0.1, optionally with replica 0
/// lagging behind a <see cref="DelayingTcpProxy"/>.
/// </summary>
/// <remarks>
/// The primary uses disk-based full sync (<c>--repl-diskless-sync no</c>, into its temp directory) because it attaches
/// replicas faster and more predictably than diskless sync; pass <c>--repl-diskless-sync yes</c> in
/// <see cref="LocalReplicaSetOptions.Server"/> to change that.
/// Replicas are started with <c>--replicaof</c> (the command-line form of <c>REPLICAOF</c>), so a replica brought back
/// with <see cref="RedisServerProcess.RestartAsync"/> rejoins by itself. The lagged replica's <c>--replicaof</c>
/// names the proxy's port, not the primary's.
/// </remarks>
public sealed class LocalReplicaSet : IAsyncDisposable
{
    /// <summary>Base time allowed for replicas to attach and catch up; attach normally takes tens of milliseconds.</summary>
    public static readonly TimeSpan DefaultSyncTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The pub/sub channel <see cref="WaitForReplicasInSyncAsync"/> publishes its probe on.</summary>
    public const string SyncProbeChannel = "__localredis:sync-probe";

    private static readonly TimeSpan SyncPollInterval = TimeSpan.FromMilliseconds(10);

    private readonly List<RedisServerProcess> _replicas = [];
    private int _disposed;

    private LocalReplicaSet(RedisServerProcess primary, DelayingTcpProxy? lagProxy)
    {
        Primary = primary;
        LagProxy = lagProxy;
    }

    /// <summary>The primary.</summary>
    public RedisServerProcess Primary { get; }

    /// <summary>The replicas, in start order; when <see cref="LagProxy"/> is set, replica 0 is the lagged one.</summary>
    public IReadOnlyList<RedisServerProcess> Replicas => _replicas;

    /// <summary>The proxy between replica 0 and the primary, or <see langword="null"/> if no replica is lagged.</summary>
    public DelayingTcpProxy? LagProxy { get; }

    /// <summary>Starts a primary and <paramref name="replicas"/> replicas, and waits until every replica is attached and caught up.</summary>
    /// <param name="replicas">How many replicas to start.</param>
    /// <param name="laggedReplicaDelay">When set, replica 0 replicates through a <see cref="DelayingTcpProxy"/> with this delay.</param>
    /// <param name="cancellationToken">Cancels the start; everything started so far is stopped.</param>
    /// <returns>The running replica set.</returns>
    /// <exception cref="TimeoutException">A replica did not attach and catch up in time; the message holds its last <c>INFO replication</c>.</exception>
    public static Task<LocalReplicaSet> StartAsync(int replicas = 2, TimeSpan? laggedReplicaDelay = null, CancellationToken cancellationToken = default) =>
        StartAsync(new LocalReplicaSetOptions { Replicas = replicas, LaggedReplicaDelay = laggedReplicaDelay }, cancellationToken);

    /// <summary>Starts a replica set as described by <paramref name="options"/> and waits until every replica is attached and caught up.</summary>
    /// <param name="options">What to start.</param>
    /// <param name="cancellationToken">Cancels the start; everything started so far is stopped.</param>
    /// <returns>The running replica set.</returns>
    /// <exception cref="TimeoutException">A replica did not attach and catch up in time; the message holds its last <c>INFO replication</c>.</exception>
    public static async Task<LocalReplicaSet> StartAsync(LocalReplicaSetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Replicas);
        if (options.Server.Port is not null)
        {
            throw new ArgumentException("Each server of a replica set needs its own port: leave Server.Port null.", nameof(options));
        }

        if (options.LaggedReplicaDelay is not null && options.Replicas == 0)
        {
            throw new ArgumentException("A lagged replica needs at least one replica.", nameof(options));
        }

        RedisServerProcess primary = await RedisServerProcess.StartAsync(PrimaryOptions(options.Server), cancellationToken).ConfigureAwait(false);
        DelayingTcpProxy? lagProxy;
        try
        {
            lagProxy = options.LaggedReplicaDelay is TimeSpan delay ? DelayingTcpProxy.Start(primary.EndPoint, delay) : null;
        }
        catch
        {
            await primary.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var set = new LocalReplicaSet(primary, lagProxy);
        try
        {
            await set.StartReplicasAsync(options, cancellationToken).ConfigureAwait(false);
            await set.WaitForReplicasInSyncAsync(options.SyncTimeout, cancellationToken).ConfigureAwait(false);
            return set;
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Changes the lag of replica 0 (see <see cref="DelayingTcpProxy.Delay"/>).</summary>
    /// <param name="lag">The new one-way delay of the replication stream.</param>
    /// <exception cref="InvalidOperationException">The set was started without a lagged replica.</exception>
    public void SetLag(TimeSpan lag)
    {
        if (LagProxy is null)
        {
            throw new InvalidOperationException("This replica set has no lagged replica: start it with a laggedReplicaDelay.");
        }

        LagProxy.Delay = lag;
    }

    /// <summary>
    /// Writes a probe to the primary (<c>PUBLISH</c> on <see cref="SyncProbeChannel"/>, which touches no key) and waits
    /// until every replica reports <c>master_link_status:up</c> and has processed it.
    /// </summary>
    /// <remarks>
    /// The probe is what makes "in sync" mean "receiving the live stream". After a diskless full sync a replica
    /// reports its link up and its offset caught up, yet the primary may not stream to it until the replica's next
    /// <c>REPLCONF ACK</c>, up to a second later (seen on about half of the diskless attaches here): without the probe, the first
    /// write after start would seem to lag by ~1 s. The probe shows up as <c>cmdstat_publish</c> in <c>INFO commandstats</c>.
    /// </remarks>
    /// <param name="timeout">How long to wait; <see langword="null"/> uses <see cref="DefaultSyncTimeout"/> plus 20 × the current lag.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when all replicas are in sync.</returns>
    /// <exception cref="TimeoutException">A replica did not catch up in time; the message holds its last <c>INFO replication</c>.</exception>
    public async Task WaitForReplicasInSyncAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        TimeSpan limit = timeout ?? DefaultSyncTimeout + (20 * (LagProxy?.Delay ?? TimeSpan.Zero));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);

        long target;
        RespConnection primary = await RespConnection.ConnectAsync(Primary.EndPoint, deadline.Token).ConfigureAwait(false);
        await using (primary.ConfigureAwait(false))
        {
            // Same connection, so the offset read afterwards covers the probe.
            await primary.ExecuteAsync(["PUBLISH", SyncProbeChannel, "sync"], deadline.Token).ConfigureAwait(false);
            string? primaryInfo = await primary.ExecuteAsync(["INFO", "replication"], deadline.Token).ConfigureAwait(false);
            target = ReadOffset(RedisInfo.Parse(primaryInfo), "master_repl_offset");
        }

        await Task.WhenAll(_replicas.Select(r => WaitUntilCaughtUpAsync(r, target, limit, deadline.Token, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Stops the replicas, the proxy and the primary.</summary>
    /// <returns>A task that completes when everything is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Replicas first, so they don't spend their last moments reconnecting to a dead primary.
        foreach (RedisServerProcess replica in _replicas)
        {
            await replica.DisposeAsync().ConfigureAwait(false);
        }

        if (LagProxy is not null)
        {
            await LagProxy.DisposeAsync().ConfigureAwait(false);
        }

        await Primary.DisposeAsync().ConfigureAwait(false);
    }

    private static RedisServerOptions PrimaryOptions(RedisServerOptions shared) => new()
    {
        ExecutablePath = shared.ExecutablePath,
        StartTimeout = shared.StartTimeout,

        // Disk-based full sync attaches in ~120 ms every time. Diskless sync races the replica's first ACK against
        // the primary reaping its fork, and on about half of the attaches here the primary then holds the live
        // stream back until the replica's next periodic ACK, ~1 s later. Callers can still pass "yes".
        ExtraArguments = ["--repl-diskless-sync", "no", .. shared.ExtraArguments],
    };

    private async Task StartReplicasAsync(LocalReplicaSetOptions options, CancellationToken cancellationToken)
    {
        Task<RedisServerProcess>[] starts = new Task<RedisServerProcess>[options.Replicas];
        for (int i = 0; i < starts.Length; i++)
        {
            int upstreamPort = i == 0 && LagProxy is not null ? LagProxy.Port : Primary.Port;
            var replicaOptions = new RedisServerOptions
            {
                ExecutablePath = options.Server.ExecutablePath,
                StartTimeout = options.Server.StartTimeout,
                ExtraArguments =
                [
                    .. options.Server.ExtraArguments,
                    "--replicaof", EndPointText.LoopbackHost, upstreamPort.ToString(CultureInfo.InvariantCulture),
                ],
            };
            starts[i] = RedisServerProcess.StartAsync(replicaOptions, cancellationToken);
        }

        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        finally
        {
            // Keep every replica that did start, even if another failed, so DisposeAsync stops it.
            _replicas.AddRange(starts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }
    }

    private static async Task WaitUntilCaughtUpAsync(
        RedisServerProcess replica, long target, TimeSpan limit, CancellationToken deadline, CancellationToken callerToken)
    {
        string? lastInfo = null;
        try
        {
            while (true)
            {
                lastInfo = await TryReadReplicationInfoAsync(replica, deadline).ConfigureAwait(false);
                IReadOnlyDictionary<string, string> fields = RedisInfo.Parse(lastInfo);
                if (fields.GetValueOrDefault("master_link_status") == "up"
                    && ReadOffset(fields, "slave_repl_offset") >= target)
                {
                    return;
                }

                await Task.Delay(SyncPollInterval, deadline).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            throw new TimeoutException(DescribeTimeout(replica, target, limit, lastInfo));
        }
    }

    private static async Task<string?> TryReadReplicationInfoAsync(RedisServerProcess replica, CancellationToken deadline)
    {
        try
        {
            return await RespClient.ExecuteAsync(replica.EndPoint, ["INFO", "replication"], deadline).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or RespProtocolException or RedisErrorReplyException)
        {
            // A replica being restarted may refuse a poll or two; the deadline decides when to give up.
            return null;
        }
    }

    private static long ReadOffset(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out string? text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset)
            ? offset
            : -1;

    private static string DescribeTimeout(RedisServerProcess replica, long target, TimeSpan limit, string? lastInfo)
    {
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Replica {replica.EndPoint} did not attach and reach primary offset {target} within {limit.TotalSeconds:0.#} s.")
            .AppendLine()
            .AppendLine("Last INFO replication:")
            .AppendLine(lastInfo?.Trim() ?? "(no answer)")
            .AppendLine("Last replica output:");
        foreach (string line in replica.GetRecentOutput().TakeLast(20))
        {
            message.AppendLine(line);
        }

        return message.ToString();
    }
}
