using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessRyw.Reliability.Tests.Http;

/// <summary>
/// A keep-alive HTTP/1.1 connection that writes header bytes exactly as given (HttpClient refuses or re-encodes
/// hostile values), and reads responses with a Content-Length.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    private RawHttpConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawHttpConnection> OpenAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawHttpConnection(socket);
    }

    /// <summary>Sends <c>GET path</c> with one <c>name: value</c> line per header (value bytes as given) and reads the response.</summary>
    public async Task<RawHttpResponse> GetAsync(string path, IEnumerable<(string Name, byte[] Value)> headers, CancellationToken cancellationToken)
    {
        using var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        foreach (var (name, value) in headers)
        {
            request.Write(Encoding.ASCII.GetBytes(name + ": "));
            request.Write(value);
            request.Write("\r\n"u8);
        }

        request.Write("\r\n"u8);
        await _stream.WriteAsync(request.ToArray(), cancellationToken);
        return await ReadResponseAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private async Task<RawHttpResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, _buffered).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(cancellationToken);
        }

        var head = Encoding.Latin1.GetString(_buffer, 0, headerEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            if (!headers.TryGetValue(name, out var values))
            {
                headers[name] = values = [];
            }

            values.Add(line[(colon + 1)..].Trim());
        }

        var length = headers.TryGetValue("Content-Length", out var lengths) ? int.Parse(lengths[0], CultureInfo.InvariantCulture) : 0;
        var total = headerEnd + 4 + length;
        while (_buffered < total)
        {
            await FillAsync(cancellationToken);
        }

        var body = Encoding.UTF8.GetString(_buffer, headerEnd + 4, length);
        Buffer.BlockCopy(_buffer, total, _buffer, 0, _buffered - total);
        _buffered -= total;
        return new RawHttpResponse(status, headers, body);
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var read = await _stream.ReadAsync(_buffer.AsMemory(_buffered), cancellationToken);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        _buffered += read;
    }
}

public sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, List<string>> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;
}
