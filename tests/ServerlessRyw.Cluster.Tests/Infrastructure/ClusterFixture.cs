using StackExchange.Redis;

namespace ServerlessRyw.Cluster.Tests.Infrastructure;

/// <summary>One local cluster shared by every server test (they run one at a time, see <see cref="ClusterTests"/>).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];

    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync();

    public async Task DisposeAsync()
    {
        lock (_owned)
        {
            foreach (var owned in Enumerable.Reverse(_owned))
            {
                owned.Dispose();
            }

            _owned.Clear();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    /// <summary>A new application connection to the cluster (one per simulated instance).</summary>
    public IConnectionMultiplexer Connect(int configCheckSeconds = 60)
    {
        var connection = Cluster.Connect(configCheckSeconds);
        Track(connection);
        return connection;
    }

    /// <summary>A client over its own cluster connection, as a separate serverless instance would have.</summary>
    public async Task<RywClient> CreateClientAsync(RywOptions? options = null, int configCheckSeconds = 60)
    {
        var client = await RywClient.ConnectClusterAsync(Connect(configCheckSeconds), options);
        Track(client);
        return client;
    }

    /// <summary>The shard serving <paramref name="slot"/> as the fixture created it (before any migration).</summary>
    public LocalShard InitialShardOf(int slot) => Cluster.Shards.Last(s => s.FirstSlot <= slot);

    private void Track(IDisposable disposable)
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterTests : ICollectionFixture<ClusterFixture>
{
    public const string Name = "redis cluster";
}
