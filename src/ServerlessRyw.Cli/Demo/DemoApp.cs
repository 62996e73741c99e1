using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessRyw.AspNetCore;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Http;
using ServerlessRyw.Propagation;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Demo;

/// <summary>
/// One phase's "function app": HTTP functions on Kestrel and a queue-triggered function, wired with the toolkit's
/// carriers exactly as an application would (AddReadYourWrites, UseReadYourWrites, AddReadYourWritesHandler,
/// RywQueueEnvelope). Only the routing mode differs between the phases.
/// </summary>
internal sealed class DemoApp : IAsyncDisposable
{
    public const string OrdersClient = "orders";
    private const int Consumers = 4;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private readonly DemoQueue _queue;
    private readonly CancellationTokenSource _stopping;
    private readonly Task[] _consumers;

    private DemoApp(WebApplication app, Uri address, CancellationTokenSource stopping, Task[] consumers)
    {
        _app = app;
        Address = address;
        _queue = app.Services.GetRequiredService<DemoQueue>();
        _stopping = stopping;
        _consumers = consumers;
    }

    /// <summary>Where the HTTP functions listen (127.0.0.1, a free port).</summary>
    public Uri Address { get; }

    /// <summary>The app's read-your-writes client, for its routing statistics.</summary>
    public RywClient Client => _app.Services.GetRequiredService<RywClient>();

    public static async Task<DemoApp> StartAsync(
        RywMode mode, IConnectionMultiplexer primary, IReadOnlyList<string> replicas, DemoRecorder recorder, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // The CLI owns Ctrl+C (it cancels the run and stops the servers); the host must not hold the process open.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = StopTimeout);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(primary);
        builder.Services.AddReadYourWrites(options =>
        {
            options.Mode = mode;
            foreach (var replica in replicas)
            {
                options.Replicas.Add(replica);
            }
        });
        builder.Services.AddSingleton(recorder);
        builder.Services.AddSingleton<DemoQueue>();
        builder.Services.AddSingleton<SelfAddress>();
        builder.Services
            .AddHttpClient(OrdersClient, (services, client) => client.BaseAddress = services.GetRequiredService<SelfAddress>().Uri)
            .AddReadYourWritesHandler();

        var app = builder.Build();
        app.UseReadYourWrites();
        app.MapPost("/orders/{id}", WriteOrderAsync);
        app.MapGet("/orders/{id}", ReadOrderAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = new Uri(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        app.Services.GetRequiredService<SelfAddress>().Uri = address;
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var consumers = Enumerable.Range(0, Consumers).Select(_ => Task.Run(() => ConsumeAsync(app.Services, stopping.Token))).ToArray();
        return new DemoApp(app, address, stopping, consumers);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Close();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_consumers).ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal static RedisKey OrderKey(string id) => "ryw:demo:order:" + id;

    /// <summary>HTTP function 1: writes the order, enqueues a message for the next function, answers with the token.</summary>
    private static async Task<IResult> WriteOrderAsync(string id, string status, RywSession session, DemoQueue queue, CancellationToken cancellationToken)
    {
        var key = OrderKey(id);
        await session.WriteAsync(db => db.StringSetAsync(key, status), cancellationToken).ConfigureAwait(false);
        var message = JsonSerializer.Serialize(new OrderMessage(id, status));
        queue.Send(RywQueueEnvelope.Stamp(message, await session.GetTokenAsync(cancellationToken).ConfigureAwait(false)));
        return Results.Created(new Uri("/orders/" + id, UriKind.Relative), null);
    }

    /// <summary>HTTP function 2: reads the order; the demo passes what it should be, to count stale reads.</summary>
    private static async Task<IResult> ReadOrderAsync(
        string id, string expect, string hop, RywSession session, DemoRecorder recorder, CancellationToken cancellationToken)
    {
        var key = OrderKey(id);
        var started = Stopwatch.GetTimestamp();
        var value = await session.ReadAsync(db => db.StringGetAsync(key), cancellationToken).ConfigureAwait(false);
        recorder.RecordRead(hop == "consumer" ? DemoHop.HttpFromConsumer : DemoHop.HttpHop, value != expect, Stopwatches.ElapsedMs(started));
        return Results.Text(value.IsNull ? string.Empty : value.ToString());
    }

    /// <summary>The queue-triggered function: each message is a new invocation with its own scope and session.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Design", "CA1031", Justification = "Every failure is passed to the chain that waits for this message.")]
    private static async Task ConsumeAsync(IServiceProvider services, CancellationToken stopping)
    {
        var queue = services.GetRequiredService<DemoQueue>();
        var recorder = services.GetRequiredService<DemoRecorder>();
        var accessor = services.GetRequiredService<RywSessionAccessor>();
        var http = services.GetRequiredService<IHttpClientFactory>();
        await foreach (var body in queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (stopping.IsCancellationRequested)
            {
                // Drain without work: the chains waiting for these messages have been cancelled too.
                continue;
            }

            var scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var session = scope.ServiceProvider.GetRequiredService<RywSession>();
                var unwrapped = RywQueueEnvelope.UnwrapInto(session, body);
                var order = JsonSerializer.Deserialize<OrderMessage>(unwrapped.Body)!;
                try
                {
                    var key = OrderKey(order.Id);
                    var started = Stopwatch.GetTimestamp();
                    var value = await session.ReadAsync(db => db.StringGetAsync(key), stopping).ConfigureAwait(false);
                    recorder.RecordRead(DemoHop.QueueHop, value != order.Status, Stopwatches.ElapsedMs(started));

                    // The consumer calls another HTTP function; the handler stamps the session's token on the request.
                    accessor.Session = session;
                    using var client = http.CreateClient(OrdersClient);
                    using var response = await client.GetAsync(
                        new Uri($"/orders/{Uri.EscapeDataString(order.Id)}?expect={Uri.EscapeDataString(order.Status)}&hop=consumer", UriKind.Relative),
                        stopping).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                    recorder.ConsumerDone(order.Id, null);
                }
                catch (Exception exception)
                {
                    // Handed to the chain waiting for this message, which fails the demo with it instead of hanging.
                    recorder.ConsumerDone(order.Id, exception);
                }
                finally
                {
                    accessor.Session = null;
                }
            }
        }
    }

    internal sealed record OrderMessage(string Id, string Status);

    /// <summary>A host lifetime that ignores Ctrl+C and SIGTERM: the command, not the demo host, decides when to stop.</summary>
    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The app's own address, known only once Kestrel has picked a port.</summary>
    private sealed class SelfAddress
    {
        public Uri? Uri { get; set; }
    }
}
