using StackExchange.Redis;

namespace ServerlessRyw.Docs.Tests.Snippets;

/// <summary>docs/cluster.md. Compiled, never called.</summary>
internal static class ClusterSnippets
{
    public static async Task Cluster(RywSession session, string key, string json)
    {
        #region Cluster
        // Once per process: the application's cluster connection; shards and replicas are discovered.
        var cluster = await ConnectionMultiplexer.ConnectAsync("node-1:6379,node-2:6379");
        using var client = await RywClient.ConnectClusterAsync(cluster);   // or RywClient.ForCluster(cluster): lazy

        // Per invocation: keyed calls, so the toolkit knows the shard. Pass the flags you are given on.
        await session.WriteAsync(key, db => db.StringSetAsync(key, json));
        var cart = await session.ReadAsync(key, (db, flags) => db.StringGetAsync(key, flags));
        #endregion
    }
}
