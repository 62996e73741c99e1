using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ServerlessRyw.Topology;

/// <summary>
/// Reads a service's primary and replicas and follows changes: polled every <see cref="RefreshInterval"/>, and
/// sooner when the source signals a change. Never throws into callers: a failed refresh keeps the last known
/// endpoints (<see cref="TopologyStatus.Stale"/>) and is counted.
/// </summary>
/// <remarks>
/// <para>One refresh runs at a time; concurrent <see cref="RefreshAsync"/> calls share it. <see cref="Changed"/> and
/// <see cref="RefreshFailed"/> are raised on a thread-pool thread, one at a time, in the order the snapshots were
/// read, and before the refresh that produced them completes. Handlers must be quick and must not block on
/// <see cref="RefreshAsync"/> (that refresh is waiting for them); a handler that throws is logged and ignored.</para>
/// <para>Discovery only proposes candidates: a proposed replica may be lagging, resyncing, or on another history.</para>
/// </remarks>
internal abstract class TopologyDiscovery : IDisposable
{
    /// <summary>How many quick refreshes follow a change signal: a failover settles over a few seconds.</summary>
    private const int BurstRefreshes = 10;

    private static readonly TimeSpan BurstInterval = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private TopologySnapshot _current;
    private Task<TopologySnapshot>? _inFlight;
    private Task? _loop;
    private long _failedRefreshes;
    private int _consecutiveFailures;
    private int _burst;
    private int _disposed;

    private protected TopologyDiscovery(TopologySource source, TimeSpan? refreshInterval, TimeSpan? refreshTimeout, ILogger? logger, TimeProvider? time)
    {
        var defaults = new RywTopologyOptions();
        Source = source;
        RefreshInterval = refreshInterval ?? defaults.RefreshInterval;
        RefreshTimeout = refreshTimeout ?? defaults.RefreshTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(RefreshInterval, RywTopologyOptions.MinRefreshInterval, nameof(refreshInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshTimeout, TimeSpan.Zero, nameof(refreshTimeout));
        Logger = logger ?? NullLogger.Instance;
        Time = time ?? TimeProvider.System;
        _current = TopologySnapshot.Empty(source, Time.GetUtcNow());
    }

    /// <summary>Raised when a refresh reads a different primary or replica set than the one before (the first success included).</summary>
    public event Action<TopologySnapshot>? Changed;

    /// <summary>Raised when a refresh fails, with the snapshot now current (last known endpoints, <see cref="TopologySnapshot.LastError"/> set).</summary>
    public event Action<TopologySnapshot>? RefreshFailed;

    /// <summary>Where this discovery reads from.</summary>
    public TopologySource Source { get; }

    /// <summary>How often the topology is polled.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <summary>The longest one refresh may take.</summary>
    public TimeSpan RefreshTimeout { get; }

    /// <summary>The latest snapshot; <see cref="TopologyStatus.Unknown"/> until a refresh succeeds.</summary>
    public TopologySnapshot Current => Volatile.Read(ref _current);

    /// <summary>How many refreshes have failed since this discovery was created.</summary>
    public long FailedRefreshCount => Interlocked.Read(ref _failedRefreshes);

    private protected ILogger Logger { get; }

    private protected TimeProvider Time { get; }

    private protected CancellationToken Stopping => _stop.Token;

    /// <summary>Creates the discovery <paramref name="options"/> ask for, not yet started; <see langword="null"/> when none is configured.</summary>
    /// <param name="options">Validated topology options.</param>
    /// <param name="primary">The primary's connection, needed for <see cref="RywTopologyOptions.DiscoverReplicas"/>.</param>
    /// <param name="logger">Where to log; <see langword="null"/> logs nothing.</param>
    /// <returns>A <see cref="SentinelDiscovery"/>, a <see cref="PrimaryReplicaDiscovery"/>, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentException">The options are invalid, or replica discovery was asked for without a primary.</exception>
    public static TopologyDiscovery? Create(RywTopologyOptions options, IConnectionMultiplexer? primary = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        if (!string.IsNullOrWhiteSpace(options.Sentinel))
        {
            return new SentinelDiscovery(options, logger);
        }

        if (options.DiscoverReplicas)
        {
            return primary is null
                ? throw new ArgumentException("Replica discovery reads the primary: pass its connection.", nameof(primary))
                : new PrimaryReplicaDiscovery(primary, options, logger);
        }

        return null;
    }

    /// <summary>Starts polling (and, for Sentinel, listening for events) in the background. Calling it again does nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _loop ??= Task.Run(LoopAsync);
        }
    }

    /// <summary>Reads the topology now, or joins the refresh already running. Never throws for server trouble.</summary>
    /// <param name="cancellationToken">Stops waiting (the shared refresh goes on, bounded by <see cref="RefreshTimeout"/>).</param>
    /// <returns>The new snapshot, or the last known one marked <see cref="TopologyStatus.Stale"/> (or still <see cref="TopologyStatus.Unknown"/>) when the refresh failed.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TopologySnapshot> RefreshAsync(CancellationToken cancellationToken = default)
    {
        Task<TopologySnapshot> refresh;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return Current;
            }

            // Task.Run: the refresh must not start running synchronously under this lock.
            refresh = _inFlight is { IsCompleted: false } running ? running : _inFlight = Task.Run(RunRefreshAsync, CancellationToken.None);
        }

        return await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops polling and closes this discovery's connections.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the loop; subclasses close their connections.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            _stop.Cancel();
        }
    }

    /// <summary>Reads the topology once; throws when it cannot (the caller turns that into a stale snapshot).</summary>
    private protected abstract Task<TopologySnapshot> ReadAsync(CancellationToken deadline);

    /// <summary>Asks for a refresh now and quick follow-ups: called when the source signals a change.</summary>
    private protected void RequestRefresh()
    {
        Volatile.Write(ref _burst, BurstRefreshes);
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending; one is enough.
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            bool burst = Interlocked.Decrement(ref _burst) >= 0;
            if (!burst)
            {
                Interlocked.Exchange(ref _burst, 0);
            }

            try
            {
                _ = await _wake.WaitAsync(burst ? BurstInterval : RefreshInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<TopologySnapshot> RunRefreshAsync()
    {
        TopologySnapshot previous = Current;
        using var timeout = new CancellationTokenSource(RefreshTimeout, Time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
        Task<TopologySnapshot>? reading = null;
        try
        {
            reading = ReadAsync(deadline.Token);
            TopologySnapshot read = await reading.WaitAsync(deadline.Token).ConfigureAwait(false);
            _consecutiveFailures = 0;
            Volatile.Write(ref _current, read);
            if (!read.HasSameMembership(previous))
            {
                Log.TopologyChanged(Logger, Source, read, previous);
                Raise(Changed, read);
            }

            return read;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            if (reading is not null)
            {
                Routing.DeadlineWheel.ObserveLater(reading);
            }

            if (_stop.IsCancellationRequested)
            {
                return Current;
            }

            Exception reason = exception is OperationCanceledException
                ? new TimeoutException($"The {Source} topology could not be read within {RefreshTimeout.TotalMilliseconds:0} ms.", exception)
                : exception;
            int failures = ++_consecutiveFailures;
            Interlocked.Increment(ref _failedRefreshes);
            TopologySnapshot failed = previous.AsFailed(reason.Message, failures);
            Volatile.Write(ref _current, failed);

            // The first failure and then one a minute or so at the default interval: an outage must not flood the log.
            if (failures == 1 || failures % 12 == 0)
            {
                Log.TopologyRefreshFailed(Logger, Source, failures, reason);
            }

            Raise(RefreshFailed, failed);
            return failed;
        }
    }

    private void Raise(Action<TopologySnapshot>? handlers, TopologySnapshot snapshot)
    {
        if (handlers is null)
        {
            return;
        }

        // One by one, so a throwing handler does not keep the others from hearing about the change.
        foreach (Action<TopologySnapshot> handler in handlers.GetInvocationList().Cast<Action<TopologySnapshot>>())
        {
            try
            {
                handler(snapshot);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                Log.TopologyCallbackFailed(Logger, exception);
            }
        }
    }
}
