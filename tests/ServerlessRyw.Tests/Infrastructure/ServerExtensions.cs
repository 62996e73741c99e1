using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Tests.Infrastructure;

public static class ServerExtensions
{
    /// <summary>The primary's current replication id and offset, read over raw RESP.</summary>
    public static async Task<(string Id, long Offset)> ReadReplicationAsync(string endPoint)
    {
        var info = RedisInfo.Parse(await RespClient.ExecuteAsync(endPoint, "INFO", "replication"));
        return (info["master_replid"], long.Parse(info["master_repl_offset"], System.Globalization.CultureInfo.InvariantCulture));
    }
}
