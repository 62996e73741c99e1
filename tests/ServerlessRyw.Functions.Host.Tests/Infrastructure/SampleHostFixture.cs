using ServerlessRyw.Functions.Host.Tests.StandIn;
using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Functions.Host.Tests.Infrastructure;

/// <summary>
/// Azurite, a Redis primary with one replica lagging 200 ms, and a fresh sample worker behind the stand-in host,
/// in the mode <see cref="Mode"/> names. One per test class.
/// </summary>
public abstract class SampleHostFixture : IAsyncLifetime
{
    public static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(200);

    protected abstract RywMode Mode { get; }

    public AzuriteProcess Azurite { get; private set; } = null!;

    public LocalReplicaSet Redis { get; private set; } = null!;

    public StandInHost Host { get; private set; } = null!;

    public Dictionary<string, string?> Settings() => new()
    {
        ["ServerlessRyw__Primary"] = Redis.Primary.EndPoint,
        ["ServerlessRyw__Replicas__0"] = Redis.Replicas[0].EndPoint,
        ["ServerlessRyw__Mode"] = Mode.ToString(),
        ["ServerlessRyw__WaitBudget"] = "00:00:00.100",
    };

    public async Task InitializeAsync()
    {
        var azurite = AzuriteProcess.StartAsync();
        var redis = LocalReplicaSet.StartAsync(replicas: 1, laggedReplicaDelay: Lag);
        Azurite = await azurite;
        Redis = await redis;
        Host = await StandInHost.StartAsync(Azurite.ConnectionString, Settings());
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

public sealed class TokenModeFixture : SampleHostFixture
{
    protected override RywMode Mode => RywMode.Token;
}

public sealed class UnsafeModeFixture : SampleHostFixture
{
    protected override RywMode Mode => RywMode.ReplicaUnsafe;
}
