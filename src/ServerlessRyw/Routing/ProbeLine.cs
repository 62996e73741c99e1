using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>One connection of <see cref="PrimaryProbeConnection"/> to one endpoint, opened in the background.</summary>
internal sealed class ProbeLine
{
    private readonly Task<ConnectionMultiplexer?> _connecting;

    public ProbeLine(EndPoint endPoint, ConfigurationOptions configuration, ILogger logger)
    {
        EndPoint = endPoint;
        _connecting = ConnectAsync(endPoint, configuration, logger);
    }

    public EndPoint EndPoint { get; }

    public IDatabase? Database => _connecting is { IsCompletedSuccessfully: true, Result: { IsConnected: true } connection } ? connection.GetDatabase() : null;

    /// <summary>The connection once its first connect attempt ended.</summary>
    public Task<ConnectionMultiplexer?> Connected => _connecting;

    public void Close() => _ = _connecting.ContinueWith(static t => t.Result?.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private static async Task<ConnectionMultiplexer?> ConnectAsync(EndPoint endPoint, ConfigurationOptions configuration, ILogger logger)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or ArgumentException or InvalidOperationException)
        {
            Log.ProbeConnectionFailed(logger, endPoint.ToString() ?? "primary", exception);
            return null;
        }
    }
}
