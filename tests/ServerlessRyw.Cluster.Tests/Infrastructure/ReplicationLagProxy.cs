using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace ServerlessRyw.Cluster.Tests.Infrastructure;

/// <summary>
/// A TCP proxy in front of one cluster primary that delays only replication streams: a connection whose client
/// sends <c>PSYNC</c>/<c>REPLCONF</c> (a replica attaching) gets every byte from the primary <see cref="Delay"/>
/// late; ordinary clients pass straight through. The primary announces the proxy's port
/// (<c>cluster-announce-port</c>), so its replica and every client reach it through here.
/// </summary>
public sealed class ReplicationLagProxy : IAsyncDisposable
{
    private static readonly byte[][] ReplicationMarkers = [Encoding.ASCII.GetBytes("PSYNC"), Encoding.ASCII.GetBytes("REPLCONF")];

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private long _delayTicks;

    public ReplicationLagProxy(string targetEndPoint)
    {
        var colon = targetEndPoint.LastIndexOf(':');
        _targetHost = targetEndPoint[..colon];
        _targetPort = int.Parse(targetEndPoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>How late replication bytes arrive; applies to bytes received from now on.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    private int _replicationConnections;

    /// <summary>Replication connections seen so far (a replica reattaching adds one).</summary>
    public int ReplicationConnections => Volatile.Read(ref _replicationConnections);

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        _listener.Dispose();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // Closed on purpose.
        }
    }

    private async Task AcceptAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_shutdown.Token);
            }
            catch (Exception) when (_shutdown.IsCancellationRequested)
            {
                return;
            }

            var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await target.ConnectAsync(_targetHost, _targetPort, _shutdown.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                target.Dispose();
                continue;
            }

            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(target);
            }

            var connection = new Connection(this, client, target);
            _ = connection.RunAsync(_shutdown.Token);
        }
    }

    private sealed class Connection(ReplicationLagProxy proxy, Socket client, Socket target)
    {
        private volatile bool _replication;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.WhenAny(UpstreamAsync(cancellationToken), DownstreamAsync(cancellationToken));
            }
            catch (Exception)
            {
                // A side closed.
            }
            finally
            {
                client.Dispose();
                target.Dispose();
            }
        }

        private async Task UpstreamAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                if (!_replication && ReplicationMarkers.Any(m => buffer.AsSpan(0, read).IndexOf(m) >= 0))
                {
                    _replication = true;
                    Interlocked.Increment(ref proxy._replicationConnections);
                }

                await SendAllAsync(target, buffer.AsMemory(0, read), cancellationToken);
            }
        }

        private async Task DownstreamAsync(CancellationToken cancellationToken)
        {
            var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var sending = SendDelayedAsync(queue.Reader, cancellationToken);
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var read = await target.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    // Delay measured from arrival: a steady stream is shifted, not slowed.
                    var delay = _replication ? proxy.Delay : TimeSpan.Zero;
                    var due = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
                    queue.Writer.TryWrite((due, buffer.AsSpan(0, read).ToArray()));
                }
            }
            finally
            {
                queue.Writer.TryComplete();
            }

            await sending;
        }

        private async Task SendDelayedAsync(ChannelReader<(long Due, byte[] Data)> queue, CancellationToken cancellationToken)
        {
            await foreach (var (due, data) in queue.ReadAllAsync(cancellationToken))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                await SendAllAsync(client, data, cancellationToken);
            }
        }

        private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            while (!data.IsEmpty)
            {
                var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
                data = data[sent..];
            }
        }
    }
}
