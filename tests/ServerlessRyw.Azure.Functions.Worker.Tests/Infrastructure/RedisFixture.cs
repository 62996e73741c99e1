using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Infrastructure;

/// <summary>A real primary and one replica that lags 250 ms behind it, shared by the tests of a class.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(250);

    public LocalReplicaSet Set { get; private set; } = null!;

    public Dictionary<string, string?> Settings(RywMode mode) => new()
    {
        ["ServerlessRyw:Primary"] = Set.Primary.EndPoint,
        ["ServerlessRyw:Replicas:0"] = Set.Replicas[0].EndPoint,
        ["ServerlessRyw:Mode"] = mode.ToString(),
        ["ServerlessRyw:WaitBudget"] = "00:00:00.050",
    };

    public async Task InitializeAsync() => Set = await LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: Lag);

    public async Task DisposeAsync() => await Set.DisposeAsync();
}
