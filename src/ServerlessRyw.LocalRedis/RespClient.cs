namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Sends single admin commands (<c>REPLICAOF</c>, <c>INFO replication</c>, <c>CONFIG SET</c>, <c>CLIENT PAUSE</c>, ...)
/// over a fresh raw RESP connection, so this library needs no Redis client package.
/// </summary>
/// <remarks>
/// Replies are rendered as text: simple strings, integers and bulk strings as their text, arrays as their
/// rendered elements joined by <c>\n</c> (nested arrays flattened, nil elements as empty strings), a nil reply as
/// <see langword="null"/>, and an error reply as a <see cref="RedisErrorReplyException"/>.
/// </remarks>
public static class RespClient
{
    /// <summary>How long the <c>params</c> overload waits before giving up, so a wedged server fails a test instead of hanging it.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects, sends one command, renders the reply and disconnects, giving up after <see cref="DefaultTimeout"/>.</summary>
    /// <param name="endPoint">The server, as <c>host:port</c>.</param>
    /// <param name="args">The command name followed by its arguments.</param>
    /// <returns>The rendered reply, or <see langword="null"/> for a RESP nil.</returns>
    /// <exception cref="RedisErrorReplyException">The server replied with an error.</exception>
    public static async Task<string?> ExecuteAsync(string endPoint, params string[] args)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        return await ExecuteAsync(endPoint, args, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Connects, sends one command, renders the reply and disconnects.</summary>
    /// <param name="endPoint">The server, as <c>host:port</c>.</param>
    /// <param name="args">The command name followed by its arguments.</param>
    /// <param name="cancellationToken">Cancels the connect and the command.</param>
    /// <returns>The rendered reply, or <see langword="null"/> for a RESP nil.</returns>
    /// <exception cref="RedisErrorReplyException">The server replied with an error.</exception>
    public static async Task<string?> ExecuteAsync(string endPoint, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        RespConnection connection = await RespConnection.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await connection.ExecuteAsync(args, cancellationToken).ConfigureAwait(false);
        }
    }
}
