using ServerlessRyw.Functions.Host.Tests.Infrastructure;
using ServerlessRyw.Functions.Host.Tests.StandIn;
using Xunit.Abstractions;

namespace ServerlessRyw.Functions.Host.Tests;

/// <summary>The built sample worker behind the stand-in host, read-your-writes on, replica lagging 200 ms.</summary>
public sealed class SampleWorkerTests(TokenModeFixture fixture, ITestOutputHelper output) : IClassFixture<TokenModeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private StandInHost Host => fixture.Host;

    [Fact]
    public async Task HttpQueueQueueChain_ReadYourWrites_EveryHopSeesThePreviousWriteAndTheWireCarriesTheToken()
    {
        var placed = await Host.SendAsync(HttpMethod.Post, "/api/orders?sku=book&quantity=2");
        Assert.Equal(201, (int)placed.Response.StatusCode);
        var httpToken = Wire.HeaderToken(placed.Response);
        var (stored, decoded) = await Wire.PeekStoredAsync(Host, "orders-placed");
        output.WriteLine("HTTP response:\n" + Wire.Headers(placed.Response) + "\n\n" + placed.Body);
        output.WriteLine("orders-placed as stored in Azurite (Base64):\n" + stored + "\ndecoded:\n" + decoded);
        Assert.Equal(httpToken, Wire.Envelope(decoded).Token);

        var reserve = await Host.ProcessNextWithinAsync("orders-placed", Wait);
        Assert.True(reserve.Succeeded, reserve.Invocation.Result.Exception?.Message);
        var (storedReserved, decodedReserved) = await Wire.PeekStoredAsync(Host, "orders-reserved");
        output.WriteLine("orders-reserved as stored in Azurite (Base64):\n" + storedReserved + "\ndecoded:\n" + decodedReserved);
        var reservedToken = Wire.Envelope(decodedReserved).Token;
        Assert.True(reservedToken.Positions[0].Offset > httpToken.Positions[0].Offset, "the second hop's write moved the token on");

        var complete = await Host.ProcessNextWithinAsync("orders-reserved", Wait);
        Assert.True(complete.Succeeded, complete.Invocation.Result.Exception?.Message);

        var stale = await Wire.StaleHopsAsync(fixture);
        output.WriteLine($"stale hops, read-your-writes on: {stale}");
        Assert.Equal(0, stale);
    }

    [Fact]
    public async Task ClassicHttpThenQueueMessageThenBinaryData_SdkTypeBindings_TokenCarriedAndNoStaleRead()
    {
        var id = Guid.NewGuid().ToString("N");
        var requested = await Host.SendAsync(HttpMethod.Post, $"/api/audits/{id}");
        Assert.Equal(202, (int)requested.Response.StatusCode);
        var token = Wire.HeaderToken(requested.Response);
        var (_, decoded) = await Wire.PeekStoredAsync(Host, "orders-audit");
        Assert.Equal(token, Wire.Envelope(decoded).Token);
        Assert.Equal(id, Wire.Envelope(decoded).Body);

        var audit = await Host.ProcessNextWithinAsync("orders-audit", Wait);
        Assert.True(audit.Function.DeferredBinding, "QueueMessage parameters get model binding data");
        Assert.True(audit.Succeeded, audit.Invocation.Result.Exception?.Message);
        var archive = await Host.ProcessNextWithinAsync("orders-archive", Wait);
        Assert.True(archive.Succeeded, archive.Invocation.Result.Exception?.Message);

        Assert.Equal(0, await Wire.StaleHopsAsync(fixture));
    }

    [Fact]
    public async Task Redelivery_VisibilityTimeoutExpires_SameBytesAndTheHopStillSeesTheWrite()
    {
        await Host.SendAsync(HttpMethod.Post, "/api/orders?sku=pen&quantity=1");
        var raw = Host.Queue("orders-placed");

        // An instance took the message and died: it reappears after its visibility timeout, dequeue count 2.
        var taken = (await raw.ReceiveMessageAsync(TimeSpan.FromSeconds(1))).Value;
        StandInHost.QueueInvocation again;
        do
        {
            again = await Host.ProcessNextWithinAsync("orders-placed", Wait);
        }
        while (again.Message.MessageId != taken.MessageId);

        Assert.Equal(2, again.Message.DequeueCount);
        Assert.Equal(taken.Body.ToArray(), again.Message.Body.ToArray());
        Assert.True(again.Succeeded, again.Invocation.Result.Exception?.Message);
        await Host.ProcessNextWithinAsync("orders-reserved", Wait);
        Assert.Equal(0, await Wire.StaleHopsAsync(fixture));
    }

    [Fact]
    public async Task Poison_MessageFailsEveryDelivery_PoisonCopyKeepsTheToken()
    {
        var placed = await Host.SendAsync(HttpMethod.Post, "/api/orders?sku=mug&quantity=1");
        var token = Wire.HeaderToken(placed.Response);

        // A stamped body ReserveStock cannot bind (not an OrderPlaced): every delivery fails.
        var bad = (await Host.Queue("orders-placed").SendMessageAsync(Propagation.RywQueueEnvelope.Stamp("not json", token))).Value;
        Host.MaxDequeueCount = 2;
        StandInHost.QueueInvocation last;
        do
        {
            last = await Host.ProcessNextWithinAsync("orders-placed", Wait, TimeSpan.FromSeconds(1));
            Assert.True(last.Succeeded != (last.Message.MessageId == bad.MessageId), "only the unbindable message fails");
        }
        while (!last.Poisoned);

        var (_, decoded) = await Wire.PeekStoredAsync(Host, "orders-placed-poison");
        var envelope = Wire.Envelope(decoded);
        Assert.Equal(token, envelope.Token);
        Assert.Equal("not json", envelope.Body);
    }
}
