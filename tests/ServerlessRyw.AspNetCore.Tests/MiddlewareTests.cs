using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRyw.AspNetCore.Tests.Infrastructure;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.AspNetCore.Tests;

[Collection(LaggedReplicaTests.Name)]
public sealed class MiddlewareTests(LaggedReplicaFixture redis)
{
    [Fact]
    public async Task Response_WriteAfterTheEndpointReturned_IsInTheHeader()
    {
        using var client = redis.CreateClient();
        using var readerClient = redis.CreateClient();
        var key = $"late:{Guid.NewGuid():N}";
        await using var service = await KestrelService.StartAsync(
            services => services.AddSingleton(client).AddReadYourWrites(),
            app =>
            {
                app.UseReadYourWrites();

                // Runs after the endpoint returned and before the response starts, like a result or a filter would.
                app.Use(async (context, next) =>
                {
                    await next(context);
                    var session = context.RequestServices.GetRequiredService<RywSession>();
                    await session.Primary.StringSetAsync(key, "late");
                    session.MarkWritten();
                });
                app.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status202Accepted;
                    return Task.CompletedTask;
                });
            });
        await using var reader = await ItemsService.StartAsync(readerClient);
        using var http = new HttpClient();

        using var response = await http.PostAsync(service.Address, null);
        var token = Assert.Single(response.Headers.GetValues(RywHeaderNames.Token));
        using var read = new HttpRequestMessage(HttpMethod.Get, new Uri(reader.Address, $"items/{key}"));
        read.Headers.Add(RywHeaderNames.Token, token);
        using var readResponse = await http.SendAsync(read);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("late", await readResponse.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Response_NoTokenAndNoWrite_HasNoHeader()
    {
        using var client = redis.CreateClient();
        await using var service = await ItemsService.StartAsync(client);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(service.Address, "items/absent"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(RywHeaderNames.Token));
    }

    [Fact]
    public async Task Response_StampingOff_HasNoHeader()
    {
        using var client = redis.CreateClient();
        await using var service = await ItemsService.StartAsync(client, o => o.StampResponses = false);
        using var http = new HttpClient();

        using var response = await http.PutAsync(new Uri(service.Address, "items/off/v"), null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains(RywHeaderNames.Token));
    }

    [Fact]
    public async Task Request_IncomingTokenIsReturnedEvenWithoutWrites()
    {
        using var client = redis.CreateClient();
        await using var service = await ItemsService.StartAsync(client);
        using var http = new HttpClient();
        var incoming = await redis.CreateReplicatedTokenAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service.Address, "items/absent"));
        request.Headers.Add("ryw-token", incoming.ToString()); // HTTP/2-style lower case is the same header
        using var response = await http.SendAsync(request);

        Assert.True(RywToken.TryParse(Assert.Single(response.Headers.GetValues(RywHeaderNames.Token)), out var returned));
        Assert.True(incoming.IsCoveredBy(returned));
    }

    [Fact]
    public async Task Request_MalformedHeader_IsCountedAndTheRequestServedFresh()
    {
        using var writerClient = redis.CreateClient();
        using var readerClient = redis.CreateClient();
        await using var writer = await ItemsService.StartAsync(writerClient);
        await using var reader = await ItemsService.StartAsync(readerClient);
        using var http = new HttpClient();
        var key = $"garbled:{Guid.NewGuid():N}";
        await ItemsService.PutAsync(http, writer.Address, key, "v");

        // The caller wrote, but its token arrived garbled: the reader must not fall back to a stale replica read.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(reader.Address, $"items/{key}"));
        request.Headers.TryAddWithoutValidation(RywHeaderNames.Token, "garbage!");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("v", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, readerClient.Statistics[RywTokenRejection.Malformed]);
    }

    [Fact]
    public async Task Accessor_IsTheRequestSessionDuringTheRequest_AndClearedAfter()
    {
        using var client = redis.CreateClient();
        var seen = new TaskCompletionSource<(bool Same, Task<RywSession?> Later)>();
        await using var service = await KestrelService.StartAsync(
            services => services.AddSingleton(client).AddReadYourWrites(),
            app =>
            {
                app.UseReadYourWrites();
                app.Run(context =>
                {
                    var accessor = context.RequestServices.GetRequiredService<RywSessionAccessor>();
                    var scoped = context.RequestServices.GetRequiredService<RywSession>();
                    var gate = new TaskCompletionSource();
                    var later = Task.Run(async () =>
                    {
                        await gate.Task;
                        return accessor.Session; // work the request started, still running after it ended
                    });
                    context.Response.OnCompleted(() =>
                    {
                        gate.SetResult();
                        return Task.CompletedTask;
                    });
                    seen.SetResult((ReferenceEquals(accessor.Session, scoped), later));
                    return Task.CompletedTask;
                });
            });
        using var http = new HttpClient();

        using var response = await http.GetAsync(service.Address);
        var (same, later) = await seen.Task;

        Assert.True(same);
        Assert.Null(await later.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task UseReadYourWrites_WithoutAddReadYourWrites_FailsAtStartup()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => KestrelService.StartAsync(
            _ => { },
            app => app.UseReadYourWrites()));

        Assert.Contains("AddReadYourWrites", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_BrowserCaller_MaySendAndReadTheHeader()
    {
        using var client = redis.CreateClient();
        const string origin = "https://app.example";
        await using var service = await KestrelService.StartAsync(
            services => services
                .AddSingleton(client)
                .AddCors(cors => cors.AddDefaultPolicy(policy => policy.WithOrigins(origin).WithMethods("GET", "PUT").WithReadYourWritesHeaders()))
                .AddReadYourWrites(),
            app =>
            {
                app.UseCors();
                app.UseReadYourWrites();
                app.Run(ItemsService.HandleAsync);
            });
        using var http = new HttpClient();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(service.Address, "items/k/v"));
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        preflight.Headers.Add("Access-Control-Request-Headers", "ryw-token");
        using var preflightResponse = await http.SendAsync(preflight);
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(service.Address, $"items/cors-{Guid.NewGuid():N}/v"));
        put.Headers.Add("Origin", origin);
        using var putResponse = await http.SendAsync(put);

        Assert.Contains(RywHeaderNames.Token, preflightResponse.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RywHeaderNames.Token, putResponse.Headers.GetValues("Access-Control-Expose-Headers").Single());
        Assert.True(putResponse.Headers.Contains(RywHeaderNames.Token));
    }

    [Fact]
    public void Cors_PolicyThatAllowsAnyHeader_KeepsAllowingAnyHeader()
    {
        var any = new CorsPolicyBuilder().AllowAnyOrigin().AllowAnyHeader().WithReadYourWritesHeaders(includeBaggage: true).Build();
        var listed = new CorsPolicyBuilder().WithOrigins("https://a.example").WithHeaders("Content-Type").WithReadYourWritesHeaders(includeBaggage: true).Build();

        Assert.True(any.AllowAnyHeader);
        Assert.Equal([RywHeaderNames.Token], any.ExposedHeaders);
        Assert.Equal(["Content-Type", RywHeaderNames.Token, RywHeaderNames.Baggage], listed.Headers);
        Assert.Equal([RywHeaderNames.Token], listed.ExposedHeaders);
    }
}
