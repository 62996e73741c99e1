using System.Net;
using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis.Tests;

/// <summary>A loopback TCP server that echoes every byte back, or closes each connection at once, to test the proxy.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly bool _closeImmediately;
    private readonly Task _acceptLoop;

    public EchoServer(bool closeImmediately = false)
    {
        _closeImmediately = closeImmediately;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public string EndPoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_tasks)
            {
                _tasks.Add(EchoAsync(client));
            }
        }
    }

    private async Task EchoAsync(TcpClient client)
    {
        using (client)
        {
            if (_closeImmediately)
            {
                return;
            }

            client.NoDelay = true;
            NetworkStream stream = client.GetStream();
            byte[] buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
        }
    }
}
