using ServerlessRyw.Functions.Host.Tests.Infrastructure;

namespace ServerlessRyw.Functions.Host.Tests;

public sealed class SampleWorkerTests(TokenModeFixture fixture) : IClassFixture<TokenModeFixture>
{
    [Fact]
    public async Task PlaceOrder_RealWorker_ResponseCarriesToken()
    {
        var placed = await fixture.Host.SendAsync(HttpMethod.Post, "/api/orders?sku=book&quantity=2");

        Assert.Equal(201, (int)placed.Response.StatusCode);
        Assert.True(placed.Response.Headers.Contains("Ryw-Token"), placed.Response.ToString());
    }
}
