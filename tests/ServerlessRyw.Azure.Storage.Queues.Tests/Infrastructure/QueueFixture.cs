using Azure.Storage.Queues;
using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Azure.Storage.Queues.Tests.Infrastructure;

/// <summary>A real Azurite on free loopback ports and a Redis primary with one replica lagging 200 ms, per test class.</summary>
public sealed class QueueFixture : IAsyncLifetime
{
    public static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(200);

    public AzuriteProcess Azurite { get; private set; } = null!;

    public LocalReplicaSet Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var azurite = AzuriteProcess.StartAsync();
        var redis = LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: Lag);
        Azurite = await azurite;
        Redis = await redis;
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>A new, created queue; <paramref name="encoding"/> as the client sends and reads message text.</summary>
    public async Task<QueueClient> NewQueueAsync(QueueMessageEncoding encoding, string? name = null)
    {
        var queue = Client(name ?? "q" + Guid.NewGuid().ToString("N")[..12], encoding);
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    /// <summary>A client for an existing queue.</summary>
    public QueueClient Client(string name, QueueMessageEncoding encoding) =>
        new(Azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = encoding });

    public Task<RywClient> ConnectAsync(RywMode mode = RywMode.Token)
    {
        var options = new RywOptions { Primary = Redis.Primary.EndPoint, Mode = mode, WaitBudget = TimeSpan.FromMilliseconds(50) };
        options.Replicas.Add(Redis.Replicas[0].EndPoint);
        return RywClient.ConnectAsync(options);
    }
}
