using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRyw.AspNetCore.Tests.Infrastructure;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.AspNetCore.Tests;

/// <summary>
/// An endpoint that writes and then throws. Kestrel's own 500 drops every header set before (OnStarting does not run
/// for it), so the token only survives when an exception handler produces the 500: the one-line fix in docs/carriers.md.
/// </summary>
[Collection(LaggedReplicaTests.Name)]
public sealed class ErrorResponseTests(LaggedReplicaFixture redis)
{
    private async Task<HttpResponseMessage> WriteThenThrowAsync(bool exceptionHandler)
    {
        var client = redis.CreateClient();
        var service = await KestrelService.StartAsync(
            services => services.AddSingleton(client).AddReadYourWrites(),
            app =>
            {
                if (exceptionHandler)
                {
                    app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = static _ => Task.CompletedTask });
                }

                app.UseReadYourWrites();
                app.Run(WriteThenThrow);
            });
        await using (service)
        {
            using var http = new HttpClient();
            return await http.PostAsync(service.Address, null);
        }
    }

    private static async Task WriteThenThrow(HttpContext context)
    {
        var session = context.RequestServices.GetRequiredService<RywSession>();
        await session.WriteAsync(db => db.StringSetAsync($"err:{Guid.NewGuid():N}", "written"));
        throw new InvalidOperationException("after the write");
    }

    [Fact]
    public async Task Response_WriteThenThrowWithExceptionHandler_500CarriesTheToken()
    {
        using var response = await WriteThenThrowAsync(exceptionHandler: true);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(RywToken.TryParse(Assert.Single(response.Headers.GetValues(RywHeaderNames.Token)), out _));
    }

    [Fact]
    public async Task Response_WriteThenThrowWithoutExceptionHandler_KestrelsBare500HasNoToken()
    {
        using var response = await WriteThenThrowAsync(exceptionHandler: false);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains(RywHeaderNames.Token));
    }
}
