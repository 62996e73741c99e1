using System.Net.Sockets;
using System.Threading.Channels;

namespace ServerlessRyw.LocalRedis;

/// <summary>One client connection through a <see cref="DelayingTcpProxy"/> and its connection to the target.</summary>
internal sealed class ProxyConnection : IDisposable
{
    private readonly Socket _client;
    private readonly Socket _target = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly DelayingTcpProxy _proxy;

    public ProxyConnection(Socket client, DelayingTcpProxy proxy)
    {
        _client = client;
        _client.NoDelay = true;
        _proxy = proxy;
    }

    /// <summary>Completes when both directions have ended and the sockets are closed; never faults.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(CancellationToken proxyShutdown) => Completion = RunAsync(proxyShutdown);

    /// <summary>
    /// Closes both sockets at once, dropping anything still queued, as a cut cable would. Both peers see the
    /// close immediately; the pipes notice on their next socket call (at most one delay later).
    /// </summary>
    public void Dispose()
    {
        _client.Dispose();
        _target.Dispose();
    }

    private async Task RunAsync(CancellationToken proxyShutdown)
    {
        try
        {
            (string host, int port) = EndPointText.Parse(_proxy.TargetEndPoint);
            await _target.ConnectAsync(host, port, proxyShutdown).ConfigureAwait(false);

            var toClient = new DelayedPipe(_target, _client, () => _proxy.Delay);
            var toTarget = new DelayedPipe(_client, _target, () => _proxy.DelayBothDirections ? _proxy.Delay : TimeSpan.Zero);
            await Task.WhenAll(PumpAsync(toClient, proxyShutdown), PumpAsync(toTarget, proxyShutdown)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException
                                       or OperationCanceledException or ChannelClosedException)
        {
            // A peer went away, the target is down, or the connection was cut: all end the connection the same way.
        }
        finally
        {
            Dispose();
            _proxy.OnConnectionClosed(this);
        }
    }

    private async Task PumpAsync(DelayedPipe pipe, CancellationToken cancellationToken)
    {
        try
        {
            await pipe.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A reset in one direction means the connection is gone: don't leave the other direction hanging.
            Dispose();
            throw;
        }
    }
}
