using System.Globalization;
using System.Text;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Reads RESP2 replies from a stream and renders them as text: enough protocol for admin commands in tests,
/// not a general-purpose client.
/// </summary>
internal sealed class RespReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public RespReader(Stream stream) => _stream = stream;

    /// <summary>
    /// Reads one whole reply. Errors nested in arrays are only thrown after the array has been read completely,
    /// so the connection stays usable after an error reply.
    /// </summary>
    public async Task<string?> ReadReplyAsync(CancellationToken cancellationToken)
    {
        RespValue value = await ReadValueAsync(cancellationToken).ConfigureAwait(false);
        return value.Error is null ? value.Text : throw new RedisErrorReplyException(value.Error);
    }

    private async Task<RespValue> ReadValueAsync(CancellationToken cancellationToken)
    {
        string line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line.Length == 0)
        {
            throw new RespProtocolException("Received an empty RESP line.");
        }

        string body = line[1..];
        switch (line[0])
        {
            case '+':
            case ':':
                return new RespValue(body, null);
            case '-':
                return new RespValue(null, body);
            case '$':
                return new RespValue(await ReadBulkAsync(ParseLength(body), cancellationToken).ConfigureAwait(false), null);
            case '*':
                return await ReadArrayAsync(ParseLength(body), cancellationToken).ConfigureAwait(false);
            default:
                throw new RespProtocolException($"Unexpected RESP type marker in line '{line}'.");
        }
    }

    private async Task<RespValue> ReadArrayAsync(int count, CancellationToken cancellationToken)
    {
        if (count < 0)
        {
            return new RespValue(null, null);
        }

        var parts = new List<string>(count);
        string? firstError = null;
        for (int i = 0; i < count; i++)
        {
            RespValue item = await ReadValueAsync(cancellationToken).ConfigureAwait(false);
            firstError ??= item.Error;
            parts.Add(item.Text ?? string.Empty);
        }

        return new RespValue(string.Join('\n', parts), firstError);
    }

    private async Task<string?> ReadBulkAsync(int length, CancellationToken cancellationToken)
    {
        if (length < 0)
        {
            return null;
        }

        byte[] payload = new byte[length + 2];
        int copied = 0;
        while (copied < payload.Length)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            int take = Math.Min(_end - _start, payload.Length - copied);
            Buffer.BlockCopy(_buffer, _start, payload, copied, take);
            _start += take;
            copied += take;
        }

        if (payload[length] != '\r' || payload[length + 1] != '\n')
        {
            throw new RespProtocolException("Bulk string was not terminated by CRLF.");
        }

        return Encoding.UTF8.GetString(payload, 0, length);
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                int lineEnd = newline > _start && _buffer[newline - 1] == '\r' ? newline - 1 : newline;
                string line = Encoding.UTF8.GetString(_buffer, _start, lineEnd - _start);
                _start = newline + 1;
                return line;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // Only a header or simple-string line can fill the buffer; real replies never get close.
            throw new RespProtocolException($"RESP line longer than {_buffer.Length} bytes.");
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new RespProtocolException("The connection was closed before the reply was complete.");
        }

        _end += read;
    }

    private static int ParseLength(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int length)
            ? length
            : throw new RespProtocolException($"Invalid RESP length '{text}'.");

    private readonly record struct RespValue(string? Text, string? Error);
}
