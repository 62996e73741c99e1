using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServerlessRyw.AspNetCore.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port: one simulated service.</summary>
public sealed class KestrelService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelService(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Warnings and errors the service logged.</summary>
    public ErrorLog Log { get; private init; } = new();

    /// <summary>Starts a service.</summary>
    /// <param name="configureServices">Registers services (the test registers its RywClient and calls AddReadYourWrites).</param>
    /// <param name="configure">Builds the pipeline.</param>
    public static async Task<KestrelService> StartAsync(Action<IServiceCollection> configureServices, Action<WebApplication> configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(KestrelService).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var log = new ErrorLog();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        configureServices(builder.Services);
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new KestrelService(app, new Uri(address)) { Log = log };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
