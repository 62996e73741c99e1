using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// One raw RESP connection to a Redis server, for admin commands and tight polling loops in tests.
/// Not thread-safe: send one command at a time.
/// </summary>
public sealed class RespConnection : IAsyncDisposable, IDisposable
{
    private readonly NetworkStream _stream;
    private readonly RespReader _reader;
    private bool _broken;

    private RespConnection(Socket socket, string endPoint)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new RespReader(_stream);
        EndPoint = endPoint;
    }

    /// <summary>The <c>host:port</c> this connection was opened to.</summary>
    public string EndPoint { get; }

    /// <summary>Opens a connection to <paramref name="endPoint"/> (<c>host:port</c>).</summary>
    /// <param name="endPoint">The server, as <c>host:port</c>.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The open connection; dispose it when done.</returns>
    public static async Task<RespConnection> ConnectAsync(string endPoint, CancellationToken cancellationToken = default)
    {
        (string host, int port) = EndPointText.Parse(endPoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RespConnection(socket, endPoint);
    }

    /// <summary>Sends one command and renders its reply as text (see <see cref="RespClient"/> for the rendering).</summary>
    /// <param name="args">The command name followed by its arguments.</param>
    /// <returns>The rendered reply, or <see langword="null"/> for a RESP nil.</returns>
    public Task<string?> ExecuteAsync(params string[] args) => ExecuteAsync(args, CancellationToken.None);

    /// <summary>Sends one command and renders its reply as text (see <see cref="RespClient"/> for the rendering).</summary>
    /// <param name="args">The command name followed by its arguments.</param>
    /// <param name="cancellationToken">Cancels the command; a cancelled connection cannot be used again.</param>
    /// <returns>The rendered reply, or <see langword="null"/> for a RESP nil.</returns>
    /// <exception cref="RedisErrorReplyException">The server replied with an error.</exception>
    public async Task<string?> ExecuteAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentOutOfRangeException.ThrowIfZero(args.Count);
        ObjectDisposedException.ThrowIf(_broken, this);

        try
        {
            await _stream.WriteAsync(Encode(args), cancellationToken).ConfigureAwait(false);
            return await _reader.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RedisErrorReplyException)
        {
            // A half-written command or half-read reply leaves the stream out of step: never reuse it.
            _broken = true;
            await _stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _broken = true;
        _stream.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static ReadOnlyMemory<byte> Encode(IReadOnlyList<string> args)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        WriteHeader(writer, '*', args.Count);
        foreach (string arg in args)
        {
            ArgumentNullException.ThrowIfNull(arg, nameof(args));
            byte[] bytes = Encoding.UTF8.GetBytes(arg);
            WriteHeader(writer, '$', bytes.Length);
            writer.Write(bytes);
            writer.Write("\r\n"u8);
        }

        return writer.WrittenMemory;
    }

    private static void WriteHeader(ArrayBufferWriter<byte> writer, char marker, int length) =>
        writer.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{marker}{length}\r\n")));
}
