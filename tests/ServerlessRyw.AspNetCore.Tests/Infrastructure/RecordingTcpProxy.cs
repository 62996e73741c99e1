using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessRyw.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy that forwards to a server and keeps every byte each way, per connection: what was really
/// on the wire, not what a client object believes it sent.
/// </summary>
public sealed class RecordingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RecordedConnection> _connections = [];
    private readonly List<Task> _pumps = [];
    private readonly Task _acceptLoop;

    public RecordingTcpProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Every exchange seen so far: each request's raw head paired with its response's raw head, in wire order.</summary>
    public IReadOnlyList<RawExchange> Exchanges()
    {
        lock (_connections)
        {
            return _connections.SelectMany(c => c.Exchanges()).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps);
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

            var connection = new RecordedConnection();
            lock (_connections)
            {
                _connections.Add(connection);
            }

            lock (_pumps)
            {
                _pumps.Add(ServeAsync(client, connection));
            }
        }
    }

    private async Task ServeAsync(TcpClient client, RecordedConnection connection)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), connection.Upstream);
                var down = PumpAsync(server.GetStream(), client.GetStream(), connection.Downstream);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The test is over or a side closed.
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, MemoryStream record)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                lock (record)
                {
                    record.Write(buffer, 0, read);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Connection closed.
        }
    }

    private sealed class RecordedConnection
    {
        public MemoryStream Upstream { get; } = new();

        public MemoryStream Downstream { get; } = new();

        public IEnumerable<RawExchange> Exchanges()
        {
            var requests = RawHttp.SplitMessages(Snapshot(Upstream));
            var responses = RawHttp.SplitMessages(Snapshot(Downstream));
            for (var i = 0; i < requests.Count; i++)
            {
                yield return new RawExchange(requests[i], i < responses.Count ? responses[i] : null);
            }
        }

        private static string Snapshot(MemoryStream stream)
        {
            lock (stream)
            {
                return Encoding.Latin1.GetString(stream.GetBuffer(), 0, (int)stream.Length);
            }
        }
    }
}

/// <summary>One request head and the head of the response to it, exactly as sent.</summary>
public sealed record RawExchange(string Request, string? Response)
{
    public string RequestLine => Request[..Request.IndexOf("\r\n", StringComparison.Ordinal)];

    public IReadOnlyList<string> RequestHeader(string name) => RawHttp.HeaderValues(Request, name);

    public IReadOnlyList<string> ResponseHeader(string name) => Response is null ? [] : RawHttp.HeaderValues(Response, name);
}

/// <summary>Just enough HTTP/1.1 parsing for the recorded streams: heads, and bodies with a Content-Length.</summary>
public static class RawHttp
{
    public static List<string> SplitMessages(string stream)
    {
        var messages = new List<string>();
        var at = 0;
        while (at < stream.Length)
        {
            var end = stream.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            var head = stream[at..(end + 4)];
            messages.Add(head);
            var length = HeaderValues(head, "Content-Length") is [var value, ..] ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (HeaderValues(head, "Transfer-Encoding").Count > 0)
            {
                throw new NotSupportedException("The recorded services answer with a Content-Length, never chunked.");
            }

            at = end + 4 + length;
        }

        return messages;
    }

    public static IReadOnlyList<string> HeaderValues(string head, string name)
    {
        var values = new List<string>();
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                values.Add(line[(colon + 1)..].Trim());
            }
        }

        return values;
    }
}
