using ServerlessRyw.Functions.Host.Tests.StandIn;
using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Functions.Host.Tests;

public sealed class WorkerStartupTests
{
    [Fact]
    public async Task Start_PrimaryNotConfigured_WorkerRefusesToStartNamingTheSetting()
    {
        await using var host = await StandInHost.LaunchOnlyAsync("UseDevelopmentStorage=true", new Dictionary<string, string?> { ["ServerlessRyw__Mode"] = "Token" });

        var connected = await host.ConnectedWithinAsync(TimeSpan.FromSeconds(30));

        Assert.False(connected, "the worker connected to the host without a Redis primary");
        Assert.True(host.Worker.HasExited);
        Assert.NotEqual(0, host.Worker.ExitCode);
        Assert.Contains("ServerlessRyw__Primary", host.Worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void HostJson_RootCopy_IsTheSampleOne()
    {
        var root = AzuriteExecutable.FindRepositoryRoot(AppContext.BaseDirectory)!;

        Assert.Equal(File.ReadAllText(Path.Combine(root, "functions-sample", "host.json")), File.ReadAllText(Path.Combine(root, "host.json")));
    }
}
