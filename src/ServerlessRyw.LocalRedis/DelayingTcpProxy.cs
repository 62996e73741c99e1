using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A TCP proxy on 127.0.0.1 that delivers every chunk of data a fixed <see cref="Delay"/> after it arrived, to put
/// a steady, adjustable lag on a link such as a replica's connection to its primary.
/// </summary>
/// <remarks>
/// By default only data coming back from the target is delayed: with a replica as the client and its primary as
/// the target, that is the replication stream. Order is preserved and delays do not add up: a chunk received at
/// <c>t</c> is written at <c>t + Delay</c> however much data is in flight. <see cref="TimeSpan.Zero"/> passes data
/// straight through.
/// </remarks>
public sealed class DelayingTcpProxy : IAsyncDisposable
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<ProxyConnection, byte> _connections = new();
    private readonly Task _acceptLoop;
    private long _delayTicks;
    private volatile bool _delayBothDirections;
    private volatile bool _paused;
    private int _disposed;

    private DelayingTcpProxy(string targetEndPoint, TimeSpan delay, bool delayBothDirections)
    {
        TargetEndPoint = targetEndPoint;
        _delayTicks = delay.Ticks;
        _delayBothDirections = delayBothDirections;

        try
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
        }
        catch
        {
            _listener.Dispose();
            _shutdown.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where connections are forwarded to, as <c>host:port</c>.</summary>
    public string TargetEndPoint { get; }

    /// <summary>The port the proxy listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The proxy's address as <c>127.0.0.1:port</c>: give this to the client instead of the target.</summary>
    public string EndPoint => EndPointText.Loopback(Port);

    /// <summary>
    /// How long each chunk is held before delivery. Can be changed at any time; the new value applies to chunks
    /// received from then on (chunks already queued keep their due time, and order is always kept).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _delayTicks, value.Ticks);
        }
    }

    /// <summary>
    /// Whether data sent by the client to the target is delayed too (so a round trip costs twice <see cref="Delay"/>).
    /// <see langword="false"/> by default: only data from the target to the client is delayed.
    /// </summary>
    public bool DelayBothDirections
    {
        get => _delayBothDirections;
        set => _delayBothDirections = value;
    }

    /// <summary>
    /// While <see langword="true"/>, new connections are accepted and closed at once, as if the target were
    /// unreachable; existing connections are untouched (combine with <see cref="CutConnections"/> for a partition).
    /// </summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    /// <summary>How many client connections are currently open through the proxy.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Starts a proxy listening on a random free port on 127.0.0.1.</summary>
    /// <param name="targetEndPoint">Where to forward connections, as <c>host:port</c>.</param>
    /// <param name="delay">Initial <see cref="Delay"/>; default passes data straight through.</param>
    /// <param name="delayBothDirections">Initial <see cref="DelayBothDirections"/>.</param>
    /// <returns>The listening proxy; dispose it to close it and every connection through it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="FormatException"><paramref name="targetEndPoint"/> is not <c>host:port</c>.</exception>
    public static DelayingTcpProxy Start(string targetEndPoint, TimeSpan delay = default, bool delayBothDirections = false)
    {
        // Validated before construction so a bad argument leaves no socket behind.
        _ = EndPointText.Parse(targetEndPoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new DelayingTcpProxy(targetEndPoint, delay, delayBothDirections);
    }

    /// <summary>
    /// Closes every current connection on both sides at once, dropping data still in flight, as a cut cable
    /// would. New connections are accepted again straight away unless <see cref="Paused"/> is set.
    /// </summary>
    /// <returns>How many connections were cut.</returns>
    public int CutConnections()
    {
        int count = 0;
        foreach (ProxyConnection connection in _connections.Keys)
        {
            count++;
            connection.Dispose();
        }

        return count;
    }

    /// <summary>Stops listening, closes every connection, and waits for all proxy tasks to finish.</summary>
    /// <returns>A task that completes when nothing of the proxy is left running.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        // The accept loop has stopped, so no connection can be added after this snapshot.
        ProxyConnection[] connections = [.. _connections.Keys];
        foreach (ProxyConnection connection in connections)
        {
            connection.Dispose();
        }

        await Task.WhenAll(connections.Select(c => c.Completion)).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"proxy {EndPoint} -> {TargetEndPoint} (delay {Delay.TotalMilliseconds} ms)";

    internal void OnConnectionClosed(ProxyConnection connection) => _connections.TryRemove(connection, out _);

    private async Task AcceptLoopAsync()
    {
        CancellationToken shutdown = _shutdown.Token;
        while (!shutdown.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(shutdown).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException
                                           || (ex is SocketException && shutdown.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                // Transient (e.g. the client reset before accept completed, or out of descriptors): keep serving.
                await Task.Delay(AcceptRetryDelay, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            if (_paused)
            {
                client.Dispose();
                continue;
            }

            var connection = new ProxyConnection(client, this);
            _connections.TryAdd(connection, 0);
            connection.Start(shutdown);
        }
    }
}
