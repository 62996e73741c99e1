using System.Globalization;
using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis;

/// <summary>The readiness check of a started <c>redis-server</c>, server or sentinel alike.</summary>
internal static class RedisReadiness
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the server answering on <paramref name="endPoint"/> is the process <paramref name="processId"/>: right
    /// after a port race, another server may be answering there while ours is failing to bind.
    /// </summary>
    public static async Task<bool> AnswersAsAsync(string endPoint, int processId, CancellationToken cancellationToken)
    {
        using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probeTimeout.CancelAfter(ProbeTimeout);
        try
        {
            string? info = await RespClient.ExecuteAsync(endPoint, ["INFO", "server"], probeTimeout.Token).ConfigureAwait(false);
            return RedisInfo.Parse(info).GetValueOrDefault("process_id") == processId.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is SocketException or IOException or RespProtocolException or RedisErrorReplyException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
