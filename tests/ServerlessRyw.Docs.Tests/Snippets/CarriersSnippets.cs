using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRyw.Azure.Storage.Queues;
using ServerlessRyw.Propagation;
using StackExchange.Redis;

namespace ServerlessRyw.Docs.Tests.Snippets;

/// <summary>docs/carriers.md. Compiled, never called.</summary>
internal static class CarriersSnippets
{
    public static void AspNetCore(WebApplicationBuilder builder)
    {
        #region AspNetCoreCarrier
        builder.Services.AddSingleton<IConnectionMultiplexer>(ConnectionMultiplexer.Connect("primary:6379"));
        builder.Services.AddReadYourWrites(o => o.Replicas.Add("replica-1:6379"));

        var app = builder.Build();
        app.UseCors();              // if browsers call you (see CORS below)
        app.UseReadYourWrites();    // package ServerlessRyw.AspNetCore, namespace Microsoft.AspNetCore.Builder
        app.MapPut("/carts/{id}", async (string id, Cart cart, RywSession session) =>
        {
            await session.WriteAsync(db => db.StringSetAsync($"cart:{id}", JsonSerializer.Serialize(cart)));
            return Results.NoContent();   // the response carries Ryw-Token
        });
        app.MapGet("/carts/{id}", async (string id, RywSession session) =>
            (string?)await session.ReadAsync(db => db.StringGetAsync($"cart:{id}")));   // fresh for a caller that sends Ryw-Token
        #endregion
    }

    public static void Cors(WebApplicationBuilder builder)
    {
        #region Cors
        builder.Services.AddCors(o => o.AddDefaultPolicy(policy => policy
            .WithOrigins("https://app.example.com")
            .WithMethods("GET", "PUT")
            .WithReadYourWritesHeaders()));   // Access-Control-Allow-Headers and Access-Control-Expose-Headers get Ryw-Token
        #endregion
    }

    public static async Task HttpClientHandler(WebApplicationBuilder builder, IHttpClientFactory http, RywSession session, string sku, HttpContent content)
    {
        #region HttpClientHandler
        builder.Services.AddHttpClient("inventory", c => c.BaseAddress = new Uri("https://inventory.internal/"))
            .AddReadYourWritesHandler();     // package ServerlessRyw.Http, namespace Microsoft.Extensions.DependencyInjection

        // in a request/invocation:
        var response = await http.CreateClient("inventory").PutAsync($"stock/{sku}", content);
        var stock = await session.ReadAsync(db => db.StringGetAsync($"stock:{sku}"));   // sees what inventory wrote
        #endregion
    }

    public static async Task QueueProducer(RywSession session, Order order, string json, QueueClient queue)
    {
        #region QueueProducer
        // producer invocation
        await session.WriteAsync(db => db.StringSetAsync($"order:{order.Id}", json));
        string body = RywQueueEnvelope.Stamp(JsonSerializer.Serialize(order), await session.GetTokenAsync());
        await queue.SendMessageAsync(body);
        #endregion
    }

    public static async Task QueueConsumer(RywClient client, QueueMessage received)
    {
        #region QueueConsumer
        // consumer invocation (one session per message)
        var session = client.CreateSession();
        RywUnwrapResult message = RywQueueEnvelope.UnwrapInto(session, received.Body.ToString());
        var order = JsonSerializer.Deserialize<Order>(message.Body)!;   // the original body, character for character
        var saved = await session.ReadAsync(db => db.StringGetAsync($"order:{order.Id}"));   // fresh
        #endregion
    }

    public static async Task StorageQueuesSend(QueueClient queueClient, RywSession session, string json)
    {
        #region StorageQueuesSend
        await queueClient.SendMessageWithTokenAsync(json, session);               // stamps, checks the 64 KiB limit, sends
        // pass messageEncoding: QueueMessageEncoding.Base64 if the QueueClient was created with it
        #endregion
    }

    public static async Task StorageQueuesReceive(QueueClient queueClient, RywClient rywClient, QueueMessage queueMessage)
    {
        #region StorageQueuesReceive
        foreach (RywQueueMessage m in (await queueClient.ReceiveMessagesWithTokenAsync(maxMessages: 16)).Value)
        {
            var session = rywClient.CreateSession();
            m.ImportInto(session);                                                // token merged; bad envelopes counted
            await Handle(m.Body, session);
            await queueClient.DeleteMessageAsync(m.MessageId, m.PopReceipt);
        }

        RywUnwrapResult r = queueMessage.UnwrapToken();                           // any QueueMessage or PeekedMessage
        #endregion
    }

    public static void Baggage(WebApplication app, WebApplicationBuilder builder)
    {
        #region Baggage
        app.UseReadYourWrites(o => o.Baggage = true);                                     // read ryw.token from baggage too
        builder.Services.AddHttpClient("orders").AddReadYourWritesHandler(o => o.Baggage = true);   // write it too
        #endregion
    }

    public static async Task AnyOtherCarrier(RywSession session, BrokerMessage message, HttpHeaders headers)
    {
        #region AnyOtherCarrier
        var propagator = RywPropagator.Default;            // or new RywPropagator(new RywPropagatorOptions { Baggage = true })
        propagator.Inject(await session.GetTokenAsync(), message.ApplicationProperties, (p, k, v) => p[k] = v);
        propagator.ExtractInto(session, message.ApplicationProperties,
            (p, k) => p.TryGetValue(k, out var v) ? [v.ToString()!] : null);
        RywExtraction found = propagator.Extract(headers, (h, k) => h.GetValues(k));   // Token, Status, ValueCount
        #endregion
    }

    private static Task Handle(string body, RywSession session) => Task.CompletedTask;
}
