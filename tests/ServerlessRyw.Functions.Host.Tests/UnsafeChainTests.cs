using ServerlessRyw.Functions.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerlessRyw.Functions.Host.Tests;

/// <summary>The same HTTP → queue → queue chain with ServerlessRyw__Mode=ReplicaUnsafe: the lagging replica shows.</summary>
public sealed class UnsafeChainTests(UnsafeModeFixture fixture, ITestOutputHelper output) : IClassFixture<UnsafeModeFixture>
{
    [Fact]
    public async Task HttpQueueQueueChain_ToolkitOff_HopsReadStaleData()
    {
        const int Orders = 3;
        for (var i = 0; i < Orders; i++)
        {
            var placed = await fixture.Host.SendAsync(HttpMethod.Post, "/api/orders?sku=book&quantity=1");
            Assert.Equal(201, (int)placed.Response.StatusCode);
            Assert.True((await fixture.Host.ProcessNextWithinAsync("orders-placed", TimeSpan.FromSeconds(10))).Succeeded);
            Assert.True((await fixture.Host.ProcessNextWithinAsync("orders-reserved", TimeSpan.FromSeconds(10))).Succeeded);
        }

        var stale = await Wire.StaleHopsAsync(fixture);
        output.WriteLine($"stale hops, ReplicaUnsafe, {Orders} orders x 2 queue hops: {stale}");
        Assert.True(stale > 0, "no hop read stale data through the lagging replica");
    }
}
