using System.Diagnostics;
using System.Runtime.CompilerServices;
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

    /// <summary>How long an order key lives.</summary>
    internal static readonly TimeSpan KeyLifetime = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    // The outcome of the read the current request is making (the routing callback runs in that read's async context).
    private static readonly AsyncLocal<StrongBox<RywReadOutcome?>> CurrentRead = new();

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

    /// <param name="mode">The routing mode: the only difference between the phases.</param>
    /// <param name="primary">The primary connection; <see langword="null"/> when <paramref name="servers"/> names a Sentinel to connect through.</param>
    /// <param name="servers">Sets the replicas, or the Sentinel topology.</param>
    /// <param name="recorder">Where reads and writes are counted.</param>
    /// <param name="tolerateRedisFailures">
    /// Over a failover: a write or read that fails with a Redis error answers 503 and is counted, as an application
    /// would report it, instead of failing the demo.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<DemoApp> StartAsync(
        RywMode mode,
        IConnectionMultiplexer? primary,
        Action<RywOptions> servers,
        DemoRecorder recorder,
        bool tolerateRedisFailures,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // The CLI owns Ctrl+C (it cancels the run and stops the servers); the host must not hold the process open.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = StopTimeout);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        if (primary is not null)
        {
            builder.Services.AddSingleton(primary);
        }

        builder.Services.AddReadYourWrites(options =>
        {
            options.Mode = mode;
            options.OnReadRouted = static routed =>
            {
                if (CurrentRead.Value is { } read)
                {
                    read.Value = routed.Outcome;
                }
            };
            servers(options);
        });
        builder.Services.AddSingleton(new FailurePolicy(tolerateRedisFailures));
        builder.Services.AddSingleton(recorder);
        builder.Services.AddSingleton<DemoQueue>();
        builder.Services.AddSingleton<SelfAddress>();
        builder.Services
            .AddHttpClient(OrdersClient, (services, client) => client.BaseAddress = services.GetRequiredService<SelfAddress>().Uri)
            .AddReadYourWritesHandler();

        var app = builder.Build();

        // Connect now (through Sentinel, that is a discovery), not inside the first request.
        _ = app.Services.GetRequiredService<RywClient>();
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
    private static async Task<IResult> WriteOrderAsync(
        string id, string status, RywSession session, DemoQueue queue, DemoRecorder recorder, FailurePolicy failures, CancellationToken cancellationToken)
    {
        var key = OrderKey(id);
        try
        {
            // An expiry, so a demo against your own deployment leaves nothing behind.
            await session.WriteAsync(db => db.StringSetAsync(key, status, KeyLifetime), cancellationToken).ConfigureAwait(false);
            recorder.RecordWrite(id, status);
            var message = JsonSerializer.Serialize(new OrderMessage(id, status));
            queue.Send(RywQueueEnvelope.Stamp(message, await session.GetTokenAsync(cancellationToken).ConfigureAwait(false)));
        }
        catch (Exception exception) when (failures.Tolerates(exception))
        {
            recorder.RecordFailure();
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Created(new Uri("/orders/" + id, UriKind.Relative), null);
    }

    /// <summary>HTTP function 2: reads the order; the demo passes what it should be, to count stale reads.</summary>
    private static async Task<IResult> ReadOrderAsync(
        string id, string expect, string hop, RywSession session, DemoRecorder recorder, FailurePolicy failures, CancellationToken cancellationToken)
    {
        RedisValue value;
        try
        {
            value = await ReadAsync(session, recorder, hop == "consumer" ? DemoHop.HttpFromConsumer : DemoHop.HttpHop, id, expect, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (failures.Tolerates(exception))
        {
            recorder.RecordFailure();
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Text(value.IsNull ? string.Empty : value.ToString());
    }

    private static async Task<RedisValue> ReadAsync(
        RywSession session, DemoRecorder recorder, DemoHop hop, string id, string expect, CancellationToken cancellationToken)
    {
        var key = OrderKey(id);
        var outcome = CurrentRead.Value = new StrongBox<RywReadOutcome?>();
        var started = Stopwatch.GetTimestamp();
        var value = await session.ReadAsync(db => db.StringGetAsync(key), cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatches.ElapsedMs(started);
        var byReplica = outcome.Value is RywReadOutcome.Replica or RywReadOutcome.ReplicaHit or RywReadOutcome.ProbedHit or RywReadOutcome.WaitedHit;
        recorder.RecordRead(hop, id, value != expect, elapsed, byReplica);
        return value;
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
        var failures = services.GetRequiredService<FailurePolicy>();
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
                    try
                    {
                        await ReadAsync(session, recorder, DemoHop.QueueHop, order.Id, order.Status, stopping).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (failures.Tolerates(exception))
                    {
                        // The application's own read failed while the primary switched; the chain goes on.
                        recorder.RecordFailure();
                    }

                    // The consumer calls another HTTP function; the handler stamps the session's token on the request.
                    accessor.Session = session;
                    using var client = http.CreateClient(OrdersClient);
                    using var response = await client.GetAsync(
                        new Uri($"/orders/{Uri.EscapeDataString(order.Id)}?expect={Uri.EscapeDataString(order.Status)}&hop=consumer", UriKind.Relative),
                        stopping).ConfigureAwait(false);
                    if (!failures.Tolerates(response.StatusCode))
                    {
                        response.EnsureSuccessStatusCode();
                    }

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

    /// <summary>Which failures a request answers 503 to (and counts) rather than failing the demo.</summary>
    internal sealed class FailurePolicy(bool tolerateRedisFailures)
    {
        public bool Tolerates(Exception exception) =>
            tolerateRedisFailures && exception is RedisException or TimeoutException;

        public bool Tolerates(HttpStatusCode status) =>
            tolerateRedisFailures && status == HttpStatusCode.ServiceUnavailable;
    }

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
