using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRyw.Http;
using StackExchange.Redis;

namespace ServerlessRyw.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Service A of the HttpClient chain. <c>POST /relay/{client}/{key}/{value}</c> asks service B (through the named
/// client: "ryw" has the handler, "plain" does not) to write the key, then reads it back through its own session.
/// <c>POST /write-then-ask/{client}/{key}/{value}</c> writes through <c>Primary</c> + <c>MarkWritten</c> and then asks B
/// to read the key, so B only sees it if the pending write's token left with the call.
/// </summary>
public static class RelayService
{
    public const string WithHandler = "ryw";
    public const string Plain = "plain";

    public static Task<KestrelService> StartAsync(RywClient client, Uri serviceB, Action<RywTokenHandlerOptions>? handler = null) =>
        KestrelService.StartAsync(
            services =>
            {
                services.AddSingleton(client);
                services.AddReadYourWrites();
                services.AddHttpClient(WithHandler, http => http.BaseAddress = serviceB).AddReadYourWritesHandler(handler);
                services.AddHttpClient(Plain, http => http.BaseAddress = serviceB);
            },
            app =>
            {
                app.UseReadYourWrites();
                app.Run(HandleAsync);
            });

    private static async Task HandleAsync(HttpContext context)
    {
        var session = context.RequestServices.GetRequiredService<RywSession>();
        var factory = context.RequestServices.GetRequiredService<IHttpClientFactory>();
        var parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (parts)
        {
            case ["relay", var name, var key, var value]:
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"items/{key}/{value}");

                // An entry the application itself propagates: baggage injection must keep it.
                request.Headers.TryAddWithoutValidation("baggage", "userId=alice");
                using var response = await factory.CreateClient(name).SendAsync(request, context.RequestAborted);
                response.EnsureSuccessStatusCode();
                var read = await session.ReadAsync(db => db.StringGetAsync(key), context.RequestAborted);
                await ItemsService.WriteTextAsync(context, read.IsNull ? string.Empty : read.ToString());
                break;
            }

            case ["write-then-ask", var name, var key, var value]:
            {
                await session.Primary.StringSetAsync(key, value);
                session.MarkWritten();
                var read = await factory.CreateClient(name).GetStringAsync($"items/{key}", context.RequestAborted);
                await ItemsService.WriteTextAsync(context, read);
                break;
            }

            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }
}
