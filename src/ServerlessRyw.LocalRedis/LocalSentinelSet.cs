using System.Globalization;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A Sentinel-monitored primary with replicas and (by default) 3 sentinels, all real processes on 127.0.0.1:
/// for tests of topology discovery, failover and replicas joining and leaving at runtime.
/// </summary>
/// <remarks>
/// <para>The data nodes start as a <see cref="LocalReplicaSet"/> (so they are attached and caught up first); nodes
/// added later are tracked here. <see cref="Primary"/> follows failovers: it is the node the sentinels last agreed on.</para>
/// <para>No replica lags through a <see cref="DelayingTcpProxy"/>: a replica replicating from the proxy's port names
/// a master address Sentinel does not monitor, and Sentinel "fixes" it (<c>+fix-slave-config</c>: <c>REPLICAOF</c> the
/// real primary) once <c>failover-timeout</c> has passed, so the lag would silently vanish; after a failover Sentinel
/// repoints every replica at the new primary anyway. Announcing the real address (<c>replica-announce-port</c>)
/// does not help, since the check is on the replica's own master address. Lag behaviour is covered by
/// <see cref="LocalReplicaSet"/>; here every replica is direct.</para>
/// </remarks>
public sealed partial class LocalSentinelSet : IAsyncDisposable
{
    /// <summary>The master name used when none is given.</summary>
    public const string DefaultServiceName = "mymaster";

    private readonly LocalSentinelSetOptions _options;
    private readonly LocalReplicaSet _initial;
    private readonly List<RedisServerProcess> _nodes = [];
    private readonly List<RedisServerProcess> _added = [];
    private readonly List<RedisSentinelProcess> _sentinels = [];
    private readonly Lock _gate = new();
    private RedisServerProcess _primary;
    private int _disposed;

    private LocalSentinelSet(LocalSentinelSetOptions options, LocalReplicaSet initial)
    {
        _options = options;
        _initial = initial;
        _primary = initial.Primary;
        _nodes.Add(initial.Primary);
        _nodes.AddRange(initial.Replicas);
    }

    /// <summary>The monitored master name.</summary>
    public string ServiceName => _options.ServiceName;

    /// <summary>The primary the sentinels last agreed on (changes with <see cref="FailoverAsync"/> and <see cref="WaitForNewPrimaryAsync"/>).</summary>
    public RedisServerProcess Primary
    {
        get
        {
            lock (_gate)
            {
                return _primary;
            }
        }
    }

    /// <summary>Every data node not removed, primary included, in start order.</summary>
    public IReadOnlyList<RedisServerProcess> Nodes
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes];
            }
        }
    }

    /// <summary>The data nodes other than <see cref="Primary"/>, running or not.</summary>
    public IReadOnlyList<RedisServerProcess> Replicas
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes.Where(n => n != _primary)];
            }
        }
    }

    /// <summary>The sentinels.</summary>
    public IReadOnlyList<RedisSentinelProcess> Sentinels => _sentinels;

    /// <summary>A StackExchange.Redis-style configuration string for the sentinels: <c>127.0.0.1:p1,127.0.0.1:p2,...,serviceName=name</c>.</summary>
    public string SentinelConfiguration => string.Join(',', _sentinels.Select(s => s.EndPoint)) + ",serviceName=" + ServiceName;

    /// <summary>Starts a primary with <paramref name="replicas"/> replicas and the sentinels, and waits until every sentinel sees them all and the other sentinels.</summary>
    /// <param name="replicas">How many replicas to start.</param>
    /// <param name="options">Sentinel count, quorum and timings; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start; everything started is stopped.</param>
    /// <returns>The running set.</returns>
    /// <exception cref="TimeoutException">The sentinels did not agree in time; the message holds their last output.</exception>
    public static async Task<LocalSentinelSet> StartAsync(int replicas = 2, LocalSentinelSetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalSentinelSetOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Sentinels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Quorum, 1);
        LocalReplicaSet initial = await LocalReplicaSet.StartAsync(
            new LocalReplicaSetOptions { Replicas = replicas, Server = options.Server }, cancellationToken).ConfigureAwait(false);
        var set = new LocalSentinelSet(options, initial);
        try
        {
            Task<RedisSentinelProcess>[] starts = [.. Enumerable.Range(0, options.Sentinels)
                .Select(_ => RedisSentinelProcess.StartAsync(options.ServiceName, initial.Primary.Port, options, cancellationToken))];
            try
            {
                await Task.WhenAll(starts).ConfigureAwait(false);
            }
            finally
            {
                set._sentinels.AddRange(starts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            if (options.FastTimers)
            {
                await set.ApplyFastTimersAsync(cancellationToken).ConfigureAwait(false);
            }

            await set.WaitForSentinelsToAgreeAsync(cancellationToken).ConfigureAwait(false);
            return set;
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Asks a sentinel for a manual failover (<c>SENTINEL FAILOVER</c>) and waits until every running sentinel names a
    /// new primary that answers <c>ROLE master</c>. The old primary is reconfigured as a replica by Sentinel.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The new primary.</returns>
    /// <exception cref="TimeoutException">No new primary was agreed on within <see cref="LocalSentinelSetOptions.Timeout"/>.</exception>
    public async Task<RedisServerProcess> FailoverAsync(CancellationToken cancellationToken = default)
    {
        string old = Primary.EndPoint;
        using CancellationTokenSource deadline = Deadline(cancellationToken);
        string? lastError = null;
        while (true)
        {
            // NOGOODSLAVE / INPROG right after a change: the sentinels have not settled yet, so ask again shortly.
            foreach (RedisSentinelProcess sentinel in RunningSentinels())
            {
                try
                {
                    await RespClient.ExecuteAsync(sentinel.EndPoint, ["SENTINEL", "FAILOVER", ServiceName], deadline.Token).ConfigureAwait(false);
                    return await WaitForNewPrimaryAsync(old, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisErrorReplyException or IOException or System.Net.Sockets.SocketException)
                {
                    lastError = ex.Message;
                }
            }

            try
            {
                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No sentinel accepted SENTINEL FAILOVER {ServiceName}: {lastError}");
            }
        }
    }

    /// <summary>Kills the current primary (SIGKILL) so the sentinels promote a replica; follow with <see cref="WaitForNewPrimaryAsync"/>.</summary>
    /// <returns>The killed node (it can be brought back with <see cref="RedisServerProcess.RestartAsync"/>, then Sentinel makes it a replica).</returns>
    public RedisServerProcess KillPrimary()
    {
        RedisServerProcess primary = Primary;
        primary.Kill();
        return primary;
    }

    /// <summary>Starts a new replica of the current primary and waits until it is in sync and every running sentinel lists it as healthy.</summary>
    /// <param name="cancellationToken">Cancels the wait; the node is stopped.</param>
    /// <returns>The new replica.</returns>
    public async Task<RedisServerProcess> AddReplicaAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var replicaOptions = new RedisServerOptions
        {
            ExecutablePath = _options.Server.ExecutablePath,
            StartTimeout = _options.Server.StartTimeout,
            ExtraArguments = [.. _options.Server.ExtraArguments, "--replicaof", EndPointText.LoopbackHost, Primary.Port.ToString(CultureInfo.InvariantCulture)],
        };
        RedisServerProcess replica = await RedisServerProcess.StartAsync(replicaOptions, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _nodes.Add(replica);
            _added.Add(replica);
        }

        await WaitUntilAsync(
            async token => await IsLinkUpAsync(replica, token).ConfigureAwait(false)
                && await AllSentinelsAsync(s => ListsHealthyReplicaAsync(s, replica.EndPoint, token)).ConfigureAwait(false),
            $"replica {replica.EndPoint} to sync and be listed healthy by every sentinel",
            cancellationToken).ConfigureAwait(false);
        return replica;
    }

    /// <summary>
    /// Stops <paramref name="replica"/> and waits until no running sentinel lists it as healthy (flagged down), or,
    /// with <paramref name="resetSentinels"/>, sends <c>SENTINEL RESET</c> and waits until no sentinel lists it at all.
    /// </summary>
    /// <param name="replica">A node of this set other than the primary.</param>
    /// <param name="resetSentinels">Whether to make the sentinels forget it (they rediscover the rest within a second or two).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the sentinels no longer propose it.</returns>
    public async Task RemoveReplicaAsync(RedisServerProcess replica, bool resetSentinels = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        lock (_gate)
        {
            if (replica == _primary || !_nodes.Remove(replica))
            {
                throw new ArgumentException("Only a replica of this set can be removed.", nameof(replica));
            }
        }

        await replica.DisposeAsync().ConfigureAwait(false);
        if (resetSentinels)
        {
            await ResetSentinelsAsync(cancellationToken).ConfigureAwait(false);
        }

        await WaitUntilAsync(
            async token => await AllSentinelsAsync(async s => !await ListsHealthyReplicaAsync(s, replica.EndPoint, token).ConfigureAwait(false)
                && (!resetSentinels || !await ListsReplicaAsync(s, replica.EndPoint, token).ConfigureAwait(false))).ConfigureAwait(false),
            $"the sentinels to stop proposing removed replica {replica.EndPoint}",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills every sentinel (the data nodes keep running); bring them back with <see cref="RestartSentinelsAsync"/>.</summary>
    public void KillSentinels()
    {
        foreach (RedisSentinelProcess sentinel in _sentinels)
        {
            sentinel.Kill();
        }
    }

    /// <summary>Restarts every sentinel on its port with its rewritten configuration and waits until they agree again.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the sentinels agree.</returns>
    public async Task RestartSentinelsAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_sentinels.Select(s => s.RestartAsync(cancellationToken))).ConfigureAwait(false);
        if (_options.FastTimers)
        {
            await ApplyFastTimersAsync(cancellationToken).ConfigureAwait(false);
        }

        await WaitForSentinelsToAgreeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the sentinels first (so nothing fails over during teardown), then every data node.</summary>
    /// <returns>A task that completes when everything is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (RedisSentinelProcess sentinel in _sentinels)
        {
            await sentinel.DisposeAsync().ConfigureAwait(false);
        }

        foreach (RedisServerProcess node in _added)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        await _initial.DisposeAsync().ConfigureAwait(false);
    }
}
