using StackExchange.Redis;

namespace ServerlessRyw.Cli.Infrastructure;

/// <summary>StackExchange.Redis connections configured the same way everywhere in the CLI.</summary>
internal static class RedisConnections
{
    /// <summary>Connects to <paramref name="configuration"/> (an endpoint or a full configuration string), without admin mode.</summary>
    /// <param name="configuration">For example <c>127.0.0.1:6379</c> or <c>host:6380,ssl=true,password=…</c>.</param>
    /// <param name="commandTimeout">How long a command may take; WAIT needs more than the default second.</param>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string configuration, TimeSpan? commandTimeout = null)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        options.SyncTimeout = (int)(commandTimeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
        var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return connection;
    }
}
