using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRyw.AspNetCore;

namespace ServerlessRyw.Reliability.Tests.Http;

/// <summary>
/// A real Kestrel service on 127.0.0.1 with <c>UseReadYourWrites()</c>: <c>GET /read/{key}</c> reads through the request's
/// session and says where the read was routed (<c>X-Ryw-Outcome</c>). Kestrel is set up to let any header byte through
/// (Latin-1, large header limits), so hostile tokens reach the middleware rather than being refused by the server.
/// </summary>
public sealed class ReadService : IAsyncDisposable
{
    public const string OutcomeHeader = "X-Ryw-Outcome";

    // Where the read of the current request was routed; OnReadRouted runs in the request's async flow.
    private static readonly AsyncLocal<StrongBox> Outcome = new();

    private readonly WebApplication _app;

    private ReadService(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Options for the service's client: routes are reported to the request that made them.</summary>
    public static void ReportRoutes(RywOptions options) =>
        options.OnReadRouted = static routed => Outcome.Value?.Set(routed.Outcome);

    public static async Task<ReadService> StartAsync(RywClient client)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(ReadService).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.RequestHeaderEncodingSelector = static _ => Encoding.Latin1;
            kestrel.Limits.MaxRequestHeadersTotalSize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 200;
        });
        builder.Services.AddSingleton(client);
        builder.Services.AddReadYourWrites();
        var app = builder.Build();
        app.UseReadYourWrites();
        app.Run(HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return new ReadService(app, address.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not ["read", var key])
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var session = context.RequestServices.GetRequiredService<RywSession>();
        var box = new StrongBox();
        Outcome.Value = box;
        var value = await session.ReadAsync(db => db.StringGetAsync(key), context.RequestAborted);
        context.Response.Headers[OutcomeHeader] = box.Value?.ToString() ?? "none";
        var body = Encoding.UTF8.GetBytes(value.IsNull ? string.Empty : value.ToString());
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private sealed class StrongBox
    {
        public RywReadOutcome? Value { get; private set; }

        public void Set(RywReadOutcome outcome) => Value = outcome;
    }
}
