using System.Diagnostics;
using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis.Tests;

/// <summary>Reads a socket in the background and records when each byte arrived.</summary>
internal sealed class TimedReceiver
{
    private readonly List<(char Byte, TimeSpan At)> _arrivals = [];
    private readonly long _origin;
    private readonly Task _loop;

    public TimedReceiver(Socket socket, long origin)
    {
        _origin = origin;
        _loop = ReadLoopAsync(socket);
    }

    /// <summary>Completes when the peer closes the connection (or it is reset).</summary>
    public Task Closed => _loop;

    public IReadOnlyList<(char Byte, TimeSpan At)> Arrivals
    {
        get
        {
            lock (_arrivals)
            {
                return [.. _arrivals];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_arrivals)
            {
                return _arrivals.Count;
            }
        }
    }

    public async Task WaitForBytesAsync(int count, TimeSpan timeout)
    {
        var limit = Stopwatch.StartNew();
        while (Count < count)
        {
            Assert.True(limit.Elapsed < timeout, $"Only {Count} of {count} bytes arrived within {timeout}.");
            await Task.Delay(1);
        }
    }

    private async Task ReadLoopAsync(Socket socket)
    {
        byte[] buffer = new byte[1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                TimeSpan at = Stopwatch.GetElapsedTime(_origin);
                lock (_arrivals)
                {
                    for (int i = 0; i < read; i++)
                    {
                        _arrivals.Add(((char)buffer[i], at));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // A reset counts as closed too.
        }
    }
}
