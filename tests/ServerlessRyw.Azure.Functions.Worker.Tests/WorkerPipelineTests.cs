using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessRyw.Azure.Functions.Worker.Tests.Infrastructure;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker.Tests;

/// <summary>Each trigger and output shape the adapter supports, through the worker's real invocation pipeline.</summary>
public sealed class WorkerPipelineTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private WorkerPipeline Pipeline(RywMode mode = RywMode.Token, Action<IFunctionsWorkerApplicationBuilder>? before = null) =>
        new(redis.Settings(mode), builder =>
        {
            before?.Invoke(builder);
            builder.UseReadYourWrites();
        });

    private static async Task<RywToken> SeedAsync(WorkerPipeline pipeline, string value)
    {
        var session = pipeline.Services.GetRequiredService<RywClient>().CreateSession();
        await session.WriteAsync(db => db.StringSetAsync(TestFunctions.Key, value));
        return await session.GetTokenAsync();
    }

    private static RywToken HeaderToken(TestResponse response)
    {
        Assert.True(response.Headers.TryGetValues(RywHeaderNames.Token, out var values), "no Ryw-Token header");
        Assert.True(RywToken.TryParse(Assert.Single(values), out var token));
        return token;
    }

    private static RywUnwrapResult Envelope(object? message)
    {
        var result = RywQueueEnvelope.Unwrap(Assert.IsType<string>(message));
        Assert.Equal(RywEnvelopeStatus.Unwrapped, result.Status);
        return result;
    }

    [Fact]
    public async Task HttpTrigger_TokenHeader_ImportedAndResponseCarriesNewerToken()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.HttpWrite), TestBinding.In("request", "httpTrigger"), TestBinding.Out("$return", "http"));
        var incoming = await SeedAsync(pipeline, "seed");

        var outcome = await pipeline.InvokeAsync(nameof(TestFunctions.HttpWrite), context =>
            new() { ["request"] = new TestRequest(context, new Dictionary<string, string> { ["ryw-token"] = incoming.ToString() }) });

        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
        var stamped = HeaderToken(Assert.IsType<TestResponse>(outcome.ReturnValue));
        Assert.True(stamped.Positions[0].Offset > incoming.Positions[0].Offset);
    }

    [Fact]
    public async Task HttpTrigger_MultiOutput_EveryMessageAndTheResponseStamped()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.HttpMulti), TestBinding.In("request", "httpTrigger"),
            TestBinding.Out("Orders", "queue"), TestBinding.Out("Note", "queue"), TestBinding.Out("Batch", "queue"), TestBinding.Out("Response", "http"));

        var outcome = await pipeline.InvokeAsync(nameof(TestFunctions.HttpMulti), context => new() { ["request"] = new TestRequest(context) });

        var orders = Assert.IsType<string[]>(outcome.Outputs["Orders"]);
        Assert.Equal([new Order(1, "a"), new Order(2, "b")], orders.Select(o => JsonSerializer.Deserialize<Order>(Envelope(o).Body, Web)));
        Assert.Equal("note", Envelope(outcome.Outputs["Note"]).Body);
        Assert.Equal(["x", "y"], Assert.IsType<string[]>(outcome.Outputs["Batch"]).Select(m => Envelope(m).Body));
        var token = HeaderToken(Assert.IsType<TestResponse>(outcome.Outputs["Response"]));
        Assert.Equal(token, Envelope(outcome.Outputs["Note"]).Token);
        Assert.Null(outcome.ReturnValue);
    }

    [Fact]
    public async Task AspNetCoreIntegration_HeaderFromHttpContext_ResponseStampedWhenItStarts()
    {
        var feature = new StartableResponseFeature();
        var httpContext = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        httpContext.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(feature);

        // Stand-in for the integration's proxying middleware: registered first (ConfigureFunctionsWebApplication()
        // before UseReadYourWrites()), it hands the real HttpContext to the rest of the pipeline.
        using var pipeline = Pipeline(before: builder => builder.UseMiddleware(async (context, next) =>
        {
            context.Items["HttpRequestContext"] = httpContext;
            await next();
        }));
        pipeline.Load(nameof(TestFunctions.AspNetWrite), TestBinding.In("request", "httpTrigger"), TestBinding.Out("$return", "http"));
        var incoming = await SeedAsync(pipeline, "seed");
        httpContext.Request.Headers[RywHeaderNames.Token] = incoming.ToString();

        await pipeline.InvokeAsync(nameof(TestFunctions.AspNetWrite), context => new() { ["request"] = new TestRequest(context) });
        Assert.False(httpContext.Response.Headers.ContainsKey(RywHeaderNames.Token));
        await feature.StartAsync();

        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
        Assert.True(RywToken.TryParse(httpContext.Response.Headers[RywHeaderNames.Token].ToString(), out var stamped));
        Assert.True(stamped.Positions[0].Offset > incoming.Positions[0].Offset);
    }

    [Fact]
    public async Task AspNetCoreIntegration_RequestNotYetReachable_TokenTakenFromTriggerMetadata()
    {
        using var pipeline = Pipeline(before: builder => builder.Services.Configure<WorkerOptions>(o => o.Capabilities["HttpUri"] = "http://127.0.0.1:0/"));
        pipeline.Load(nameof(TestFunctions.HttpRead), TestBinding.In("request", "httpTrigger"), TestBinding.Out("$return", "http"));
        var incoming = await SeedAsync(pipeline, "from-metadata");

        await pipeline.InvokeAsync(
            nameof(TestFunctions.HttpRead),
            context => new() { ["request"] = new TestRequest(context) },
            new() { ["Headers"] = JsonSerializer.Serialize(new Dictionary<string, string> { ["Ryw-Token"] = incoming.ToString() }) });

        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
        Assert.Equal("from-metadata", Assert.Single(pipeline.Capture.Reads));
    }

    [Fact]
    public async Task QueueTrigger_StringParameter_GetsOriginalBodyAndToken_ReturnValueStamped()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueueString), TestBinding.In("message", "queueTrigger"), TestBinding.Out("$return", "queue"));
        var incoming = await SeedAsync(pipeline, "written-upstream");

        var outcome = await pipeline.InvokeAsync(nameof(TestFunctions.QueueString),
            _ => new() { ["message"] = RywQueueEnvelope.Stamp("hello", incoming) });

        Assert.Equal("hello", Assert.Single(pipeline.Capture.Bodies));
        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
        Assert.Equal("written-upstream", Assert.Single(pipeline.Capture.Reads));
        var sent = Envelope(outcome.ReturnValue);
        Assert.Equal("next:hello", sent.Body);
        Assert.True(sent.Token.Positions[0].Offset > incoming.Positions[0].Offset);
    }

    [Fact]
    public async Task QueueTrigger_PocoFromBytes_BindsTheObject_PocoReturnStampedAsJson()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueuePoco), TestBinding.In("order", "queueTrigger"), TestBinding.Out("$return", "queue"));
        var incoming = await SeedAsync(pipeline, "seed");
        var body = RywQueueEnvelope.Stamp("""{"id":7,"customer":"contoso"}""", incoming);

        // The host sends binary queue content as bytes.
        var outcome = await pipeline.InvokeAsync(nameof(TestFunctions.QueuePoco),
            _ => new() { ["order"] = new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(body)) });

        Assert.Equal(new Order(7, "contoso"), Assert.Single(pipeline.Capture.Messages));
        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
        var sent = Envelope(outcome.ReturnValue);
        Assert.Equal(new Order(7, "contoso!"), JsonSerializer.Deserialize<Order>(sent.Body, Web));

        // A consumer without the toolkit still deserializes the stamped JSON object.
        Assert.Equal(new Order(7, "contoso!"), JsonSerializer.Deserialize<Order>((string)outcome.ReturnValue!, Web));
    }

    [Fact]
    public async Task QueueTrigger_PlainMessage_BindsUnchangedWithoutToken()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueuePoco), TestBinding.In("order", "queueTrigger"), TestBinding.Out("$return", "queue"));

        await pipeline.InvokeAsync(nameof(TestFunctions.QueuePoco), _ => new() { ["order"] = """{"id":8,"customer":"plain"}""" });

        Assert.Equal(new Order(8, "plain"), Assert.Single(pipeline.Capture.Messages));
        Assert.True(Assert.Single(pipeline.Capture.Tokens).IsEmpty);
    }

    [Fact]
    public async Task QueueTrigger_BinaryDataParameter_GetsOriginalBodyAndToken()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueueBinary), TestBinding.In("data", "queueTrigger"));
        var incoming = await SeedAsync(pipeline, "seed");

        await pipeline.InvokeAsync(nameof(TestFunctions.QueueBinary),
            _ => new() { ["data"] = TestQueueModelBindingData.For(RywQueueEnvelope.Stamp("binary body", incoming)) });

        Assert.Equal("binary body", Assert.Single(pipeline.Capture.Bodies));
        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
    }

    [Fact]
    public async Task QueueTrigger_QueueMessageParameter_RebuiltWithOriginalBodyAndMetadata()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueueMessageSdk), TestBinding.In("message", "queueTrigger"));
        var incoming = await SeedAsync(pipeline, "seed");

        await pipeline.InvokeAsync(nameof(TestFunctions.QueueMessageSdk),
            _ => new() { ["message"] = TestQueueModelBindingData.For(RywQueueEnvelope.Stamp("sdk body", incoming), "m-42", dequeueCount: 3) });

        Assert.Equal("sdk body", Assert.Single(pipeline.Capture.Bodies));
        var message = Assert.IsType<global::Azure.Storage.Queues.Models.QueueMessage>(Assert.Single(pipeline.Capture.Messages));
        Assert.Equal("m-42", message.MessageId);
        Assert.Equal(3, message.DequeueCount);
        Assert.Equal(incoming, Assert.Single(pipeline.Capture.Tokens));
    }

    [Fact]
    public async Task QueueOutput_StringArray_EveryMessageStamped()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueueFanOut), TestBinding.In("message", "queueTrigger"), TestBinding.Out("$return", "queue"));

        var outcome = await pipeline.InvokeAsync(nameof(TestFunctions.QueueFanOut), _ => new() { ["message"] = "m" });

        var messages = Assert.IsType<string[]>(outcome.ReturnValue);
        Assert.Equal(["m-1", "m-2", "m-3"], messages.Select(m => Envelope(m).Body));
        Assert.Single(messages.Select(m => Envelope(m).Token).Distinct());
    }

    [Fact]
    public async Task QueueOutput_TooLargeOnceStamped_SentUnstampedNotLost()
    {
        using var pipeline = Pipeline();
        pipeline.Load(nameof(TestFunctions.QueueLarge), TestBinding.In("message", "queueTrigger"), TestBinding.Out("$return", "queue"));

        // 49,140 bytes fit the 64 KiB limit in Base64, not with the envelope added.
        var outcome = await pipeline.InvokeAsync(nameof(TestFunctions.QueueLarge), _ => new() { ["message"] = "49140" });

        var sent = Assert.IsType<string>(outcome.ReturnValue);
        Assert.Equal(49_140, sent.Length);
        Assert.Equal(RywEnvelopeStatus.NotStamped, RywQueueEnvelope.Unwrap(sent).Status);
    }

    [Fact]
    public void UseReadYourWrites_CalledTwice_RegistersOnceAndPutsTheConverterFirst()
    {
        using var pipeline = new WorkerPipeline(redis.Settings(RywMode.Token), builder =>
        {
            builder.UseReadYourWrites();
            builder.UseReadYourWrites(o => o.WaitBudget = TimeSpan.FromMilliseconds(7));
        });

        var converters = pipeline.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkerOptions>>().Value.InputConverters.ToList();
        Assert.Equal(typeof(RywQueueEnvelopeConverter), converters[0]);
        Assert.Single(converters, t => t == typeof(RywQueueEnvelopeConverter));
        var options = pipeline.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RywOptions>>().Value;
        Assert.Equal([redis.Set.Replicas[0].EndPoint], options.Replicas);
        Assert.Equal(TimeSpan.FromMilliseconds(7), options.WaitBudget);
    }

    [Theory]
    [InlineData(RywMode.ReplicaUnsafe)]
    [InlineData(RywMode.Token)]
    public async Task Chain_HttpThenTwoQueueHops_EachHopSeesThePreviousWrite_StaleWithToolkitOff(RywMode mode)
    {
        using var pipeline = Pipeline(mode);
        pipeline.Load(nameof(TestFunctions.HttpWrite), TestBinding.In("request", "httpTrigger"), TestBinding.Out("$return", "http"));
        pipeline.Load(nameof(TestFunctions.QueueString), TestBinding.In("message", "queueTrigger"), TestBinding.Out("$return", "queue"));
        var stale = 0;
        for (var i = 0; i < 4; i++)
        {
            var value = $"v{i}-{Guid.NewGuid():N}";

            // Hop 1 (HTTP): writes; its response carries the token, which the caller puts on the first message.
            var http = await pipeline.InvokeAsync(nameof(TestFunctions.HttpWrite), context =>
                new() { ["request"] = new TestRequest(context, query: value) });
            var response = Assert.IsType<TestResponse>(http.ReturnValue);
            var first = response.Headers.TryGetValues(RywHeaderNames.Token, out var header)
                ? RywQueueEnvelope.Stamp(value, RywToken.Parse(header.Single()))
                : value;

            // Hop 2 (queue): reads hop 1's write, writes its own, returns the next message (stamped by the adapter).
            var second = await pipeline.InvokeAsync(nameof(TestFunctions.QueueString), _ => new() { ["message"] = first });

            // Hop 3 (queue): reads hop 2's write.
            await pipeline.InvokeAsync(nameof(TestFunctions.QueueString), _ => new() { ["message"] = second.ReturnValue });

            var reads = pipeline.Capture.Reads.ToArray()[^2..];
            stale += reads[0] == value ? 0 : 1;
            stale += reads[1] == "after:" + value ? 0 : 1;
        }

        if (mode == RywMode.Token)
        {
            Assert.Equal(0, stale);
        }
        else
        {
            // Same setup without read-your-writes: the lagging replica answers with old data.
            Assert.True(stale > 0, "the replica should have served stale reads with the toolkit off");
        }
    }
}
