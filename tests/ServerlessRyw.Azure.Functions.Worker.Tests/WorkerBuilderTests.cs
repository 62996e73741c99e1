using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServerlessRyw.Azure.Functions.Worker.Tests;

/// <summary>UseReadYourWrites() on both ways of building a worker, as Program.cs calls it. Nothing is started.</summary>
public sealed class WorkerBuilderUnitTests
{
    [Fact]
    public void UseReadYourWrites_FunctionsApplicationBuilder_RegistersOnceWithConverterFirst()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration["ServerlessRyw:Primary"] = "127.0.0.1:1,abortConnect=false";
        builder.Configuration["ServerlessRyw:Replicas:0"] = "127.0.0.1:2,abortConnect=false";

        builder.UseReadYourWrites();
        builder.UseReadYourWrites();
        using var host = builder.Build();

        AssertRegistered(host.Services);
        Assert.Equal(["127.0.0.1:2,abortConnect=false"], host.Services.GetRequiredService<IOptions<RywOptions>>().Value.Replicas);
    }

    [Fact]
    public void UseReadYourWrites_ConfigureFunctionsWorkerDefaults_RegistersOnceWithConverterFirst()
    {
        using var host = new HostBuilder()
            .ConfigureFunctionsWorkerDefaults(worker => worker
                .UseReadYourWrites(o => o.Primary = "127.0.0.1:1,abortConnect=false")
                .UseReadYourWrites())
            .Build();

        AssertRegistered(host.Services);
        Assert.Equal("127.0.0.1:1,abortConnect=false", host.Services.GetRequiredService<IOptions<RywOptions>>().Value.Primary);
    }

    [Fact]
    public async Task StartAsync_UseReadYourWritesBeforeConfigureFunctionsWebApplication_FailsNamingTheFix()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:1/"; // resolved by the worker before validation
        builder.Configuration["ServerlessRyw:Primary"] = "127.0.0.1:1,abortConnect=false";
        builder.UseReadYourWrites();
        builder.ConfigureFunctionsWebApplication();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("after ConfigureFunctionsWebApplication()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NoPrimary_FailsNamingTheSetting()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:1/";
        builder.ConfigureFunctionsWebApplication();
        builder.UseReadYourWrites();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ServerlessRyw__Primary", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ConfigureFunctionsWebApplication", error.Message, StringComparison.Ordinal);
    }

    private static void AssertRegistered(IServiceProvider services)
    {
        Assert.Single(services.GetServices<RywFunctionsMiddleware>());
        var converters = services.GetRequiredService<IOptions<WorkerOptions>>().Value.InputConverters.ToList();
        Assert.Equal(typeof(RywQueueEnvelopeConverter), converters[0]);
        Assert.Single(converters, t => t == typeof(RywQueueEnvelopeConverter));
    }
}
