using System.Net.Sockets;
using System.Text;

namespace ServerlessRyw.LocalRedis;

/// <summary>Waiting for the sentinels to agree, and the raw queries that decide it.</summary>
public sealed partial class LocalSentinelSet
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Waits until every running sentinel names one primary other than <paramref name="oldPrimaryEndPoint"/> and that
    /// node answers <c>ROLE master</c>; <see cref="Primary"/> then points at it.
    /// </summary>
    /// <param name="oldPrimaryEndPoint">The primary before the failover, as <c>127.0.0.1:port</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The new primary.</returns>
    /// <exception cref="TimeoutException">No promotion was agreed on within <see cref="LocalSentinelSetOptions.Timeout"/>.</exception>
    public async Task<RedisServerProcess> WaitForNewPrimaryAsync(string oldPrimaryEndPoint, CancellationToken cancellationToken = default)
    {
        RedisServerProcess? promoted = null;
        await WaitUntilAsync(
            async token =>
            {
                var named = new HashSet<string>(StringComparer.Ordinal);
                foreach (RedisSentinelProcess sentinel in RunningSentinels())
                {
                    string? address = await AskAsync(sentinel.EndPoint, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName], token).ConfigureAwait(false);
                    named.Add(address?.Replace('\n', ':') ?? string.Empty);
                }

                promoted = named.Count == 1 && named.First() != oldPrimaryEndPoint ? Nodes.FirstOrDefault(n => n.EndPoint == named.First()) : null;
                return promoted is not null
                    && (await AskAsync(promoted.EndPoint, ["ROLE"], token).ConfigureAwait(false))?.Split('\n')[0] == "master";
            },
            $"the sentinels to agree on a primary other than {oldPrimaryEndPoint}",
            cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _primary = promoted!;
        }

        return promoted!;
    }

    /// <summary>Waits until every running sentinel lists <paramref name="endPoint"/> as a healthy replica (e.g. an old primary after it was demoted).</summary>
    /// <param name="endPoint">The node, as <c>127.0.0.1:port</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when it is listed.</returns>
    public Task WaitForHealthyReplicaAsync(string endPoint, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(
            token => AllSentinelsAsync(s => ListsHealthyReplicaAsync(s, endPoint, token)),
            $"every sentinel to list {endPoint} as a healthy replica",
            cancellationToken);

    /// <summary>
    /// Waits until every running sentinel names <see cref="Primary"/>, flags it plainly <c>master</c>, lists every
    /// running replica as healthy and knows every other running sentinel.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when they agree.</returns>
    public Task WaitForSentinelsToAgreeAsync(CancellationToken cancellationToken = default) =>
        WaitUntilAsync(
            async token =>
            {
                int sentinels = RunningSentinels().Count;
                List<string> replicas = [.. Replicas.Where(r => r.IsRunning).Select(r => r.EndPoint)];
                return await AllSentinelsAsync(async s =>
                {
                    Dictionary<string, string> master = SentinelText.ParseRecord(
                        await AskAsync(s.EndPoint, ["SENTINEL", "MASTER", ServiceName], token).ConfigureAwait(false));
                    List<Dictionary<string, string>> listed = SentinelText.ParseRecords(
                        await AskAsync(s.EndPoint, ["SENTINEL", "REPLICAS", ServiceName], token).ConfigureAwait(false));
                    HashSet<string> healthy = [.. listed.Where(SentinelText.IsHealthyReplica).Select(SentinelText.EndPointOf)];
                    return master.GetValueOrDefault("flags") == "master"
                        && SentinelText.EndPointOf(master) == Primary.EndPoint
                        && master.GetValueOrDefault("num-other-sentinels") == (sentinels - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
                        && replicas.All(healthy.Contains);
                }).ConfigureAwait(false);
            },
            "the sentinels to agree on the primary, its replicas and each other",
            cancellationToken);

    private List<RedisSentinelProcess> RunningSentinels() => [.. _sentinels.Where(s => s.IsRunning)];

    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        return deadline;
    }

    private async Task ApplyFastTimersAsync(CancellationToken cancellationToken)
    {
        foreach (RedisSentinelProcess sentinel in _sentinels)
        {
            // Redis before 7 has no SENTINEL DEBUG: the defaults then only make waits longer.
            _ = await AskAsync(
                sentinel.EndPoint,
                ["SENTINEL", "DEBUG", "info-period", "1000", "publish-period", "500", "tilt-trigger", "5000", "tilt-period", "5000"],
                cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ResetSentinelsAsync(CancellationToken cancellationToken)
    {
        foreach (RedisSentinelProcess sentinel in RunningSentinels())
        {
            _ = await AskAsync(sentinel.EndPoint, ["SENTINEL", "RESET", ServiceName], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> AllSentinelsAsync(Func<RedisSentinelProcess, Task<bool>> condition)
    {
        foreach (RedisSentinelProcess sentinel in RunningSentinels())
        {
            if (!await condition(sentinel).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> ListsHealthyReplicaAsync(RedisSentinelProcess sentinel, string endPoint, CancellationToken token) =>
        SentinelText.ParseRecords(await AskAsync(sentinel.EndPoint, ["SENTINEL", "REPLICAS", ServiceName], token).ConfigureAwait(false))
            .Any(r => SentinelText.EndPointOf(r) == endPoint && SentinelText.IsHealthyReplica(r));

    private async Task<bool> ListsReplicaAsync(RedisSentinelProcess sentinel, string endPoint, CancellationToken token) =>
        SentinelText.ParseRecords(await AskAsync(sentinel.EndPoint, ["SENTINEL", "REPLICAS", ServiceName], token).ConfigureAwait(false))
            .Any(r => SentinelText.EndPointOf(r) == endPoint);

    private static async Task<bool> IsLinkUpAsync(RedisServerProcess replica, CancellationToken token) =>
        RedisInfo.Parse(await AskAsync(replica.EndPoint, ["INFO", "replication"], token).ConfigureAwait(false))
            .GetValueOrDefault("master_link_status") == "up";

    /// <summary>One command; <see langword="null"/> when the server is down or refuses it (the waits decide what that means).</summary>
    private static async Task<string?> AskAsync(string endPoint, IReadOnlyList<string> args, CancellationToken token)
    {
        try
        {
            return await RespClient.ExecuteAsync(endPoint, args, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or RespProtocolException or RedisErrorReplyException)
        {
            return null;
        }
    }

    private async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        using CancellationTokenSource deadline = Deadline(cancellationToken);
        try
        {
            while (!await condition(deadline.Token).ConfigureAwait(false))
            {
                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var message = new StringBuilder().Append(System.Globalization.CultureInfo.InvariantCulture, $"Timed out after {_options.Timeout.TotalSeconds:0} s waiting for {what}.").AppendLine();
            foreach (RedisSentinelProcess sentinel in _sentinels)
            {
                message.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Last output of {sentinel}:");
                foreach (string line in sentinel.GetRecentOutput().TakeLast(15))
                {
                    message.AppendLine(line);
                }
            }

            throw new TimeoutException(message.ToString());
        }
    }
}
