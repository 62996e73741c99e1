using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A service that writes and reads Redis keys through its request's session:
/// <c>PUT /items/{key}/{value}</c> writes, <c>GET /items/{key}</c> reads.
/// </summary>
public static class ItemsService
{
    public static Task<KestrelService> StartAsync(RywClient client, Action<RywAspNetCoreOptions>? options = null) =>
        KestrelService.StartAsync(
            services =>
            {
                services.AddSingleton(client);
                services.AddReadYourWrites();
            },
            app =>
            {
                app.UseReadYourWrites(options ?? (_ => { }));
                app.Run(HandleAsync);
            });

    public static async Task HandleAsync(HttpContext context)
    {
        var session = context.RequestServices.GetRequiredService<RywSession>();
        var parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (context.Request.Method, parts)
        {
            case ("PUT", ["items", var key, var value]):
                await session.WriteAsync(db => db.StringSetAsync(key, value), context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case ("GET", ["items", var key]):
                var read = await session.ReadAsync(db => db.StringGetAsync(key), context.RequestAborted);
                await WriteTextAsync(context, read.IsNull ? string.Empty : read.ToString());
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }

    /// <summary>Writes a body with a Content-Length (never chunked, so recorded streams are easy to split).</summary>
    public static Task WriteTextAsync(HttpContext context, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    public static async Task PutAsync(HttpClient http, Uri service, string key, string value, RywToken? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(service, $"items/{key}/{value}"));
        if (token is { IsEmpty: false } carried)
        {
            request.Headers.Add(RywHeaderNames.Token, carried.ToString());
        }

        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
