using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Infrastructure;

public sealed record Order(int Id, string Customer);

/// <summary>What the functions saw: message bodies, the token their session started with, what they read.</summary>
public sealed class Capture
{
    public ConcurrentQueue<string> Bodies { get; } = new();

    public ConcurrentQueue<RywToken> Tokens { get; } = new();

    public ConcurrentQueue<string?> Reads { get; } = new();

    public ConcurrentQueue<object> Messages { get; } = new();
}

public sealed class MultiOutput
{
    [QueueOutput("orders")]
    public List<Order>? Orders { get; set; }

    [QueueOutput("notes")]
    public string? Note { get; set; }

    [QueueOutput("batch")]
    public string[]? Batch { get; set; }

    public HttpResponseData? Response { get; set; }
}

/// <summary>One function per trigger and output shape the adapter supports. The session comes from DI.</summary>
public sealed class TestFunctions(RywSession session, Capture capture)
{
    public const string Key = "test:key";

    // HTTP: writes, returns HttpResponseData.
    public async Task<HttpResponseData> HttpWrite(HttpRequestData request)
    {
        capture.Tokens.Enqueue(session.Token);
        await session.WriteAsync(db => db.StringSetAsync(Key, request.Url.Query.TrimStart('?')));
        return request.CreateResponse(HttpStatusCode.OK);
    }

    // HTTP: reads.
    public async Task<HttpResponseData> HttpRead(HttpRequestData request)
    {
        capture.Tokens.Enqueue(session.Token);
        capture.Reads.Enqueue(await session.ReadAsync(db => db.StringGetAsync(Key)));
        return request.CreateResponse(HttpStatusCode.OK);
    }

    // HTTP: multi-output object with a POCO list, a string, a string array and the response.
    public async Task<MultiOutput> HttpMulti(HttpRequestData request)
    {
        capture.Tokens.Enqueue(session.Token);
        await session.WriteAsync(db => db.StringSetAsync(Key, "multi"));
        return new MultiOutput { Orders = [new(1, "a"), new(2, "b")], Note = "note", Batch = ["x", "y"], Response = request.CreateResponse(HttpStatusCode.Created) };
    }

    // ASP.NET Core integration shape: an IActionResult.
    public async Task<IActionResult> AspNetWrite(HttpRequestData request)
    {
        capture.Tokens.Enqueue(session.Token);
        await session.WriteAsync(db => db.StringSetAsync(Key, "aspnet"));
        return new OkResult();
    }

    // Queue → queue: string parameter, [QueueOutput] string return value; reads what the previous hop wrote.
    [QueueOutput("next")]
    public async Task<string> QueueString([QueueTrigger("in")] string message)
    {
        capture.Bodies.Enqueue(message);
        capture.Tokens.Enqueue(session.Token);
        capture.Reads.Enqueue(await session.ReadAsync(db => db.StringGetAsync(Key)));
        await session.WriteAsync(db => db.StringSetAsync(Key, "after:" + message));
        return "next:" + message;
    }

    // Queue → queue: POCO parameter and POCO return value.
    [QueueOutput("next")]
    public async Task<Order> QueuePoco([QueueTrigger("in")] Order order)
    {
        capture.Messages.Enqueue(order);
        capture.Tokens.Enqueue(session.Token);
        await session.WriteAsync(db => db.StringSetAsync(Key, order.Customer));
        return order with { Customer = order.Customer + "!" };
    }

    // Queue → many messages: a string[] return value.
    [QueueOutput("fan")]
    public async Task<string[]> QueueFanOut([QueueTrigger("in")] string message)
    {
        await session.WriteAsync(db => db.StringSetAsync(Key, message));
        return [message + "-1", message + "-2", message + "-3"];
    }

    public void QueueBinary([QueueTrigger("in")] BinaryData data)
    {
        capture.Bodies.Enqueue(data.ToString());
        capture.Tokens.Enqueue(session.Token);
    }

    public void QueueMessageSdk([QueueTrigger("in")] global::Azure.Storage.Queues.Models.QueueMessage message)
    {
        capture.Bodies.Enqueue(message.Body.ToString());
        capture.Messages.Enqueue(message);
        capture.Tokens.Enqueue(session.Token);
    }

    // A large message: stamping it would pass the queue's limit, so it must go out unstamped, not be lost.
    [QueueOutput("next")]
    public async Task<string> QueueLarge([QueueTrigger("in")] string message)
    {
        await session.WriteAsync(db => db.StringSetAsync(Key, "large"));
        return new string('x', int.Parse(message, System.Globalization.CultureInfo.InvariantCulture));
    }
}
