using ServerlessRyw.AspNetCore.Tests.Infrastructure;
using ServerlessRyw.Propagation;
using Xunit.Abstractions;

namespace ServerlessRyw.AspNetCore.Tests;

/// <summary>
/// W3C baggage as a second carrier, on and off: a hop that only forwards <c>baggage</c> (an OpenTelemetry-instrumented
/// gateway that drops unknown headers) still delivers the token when both ends opt in.
/// </summary>
[Collection(LaggedReplicaTests.Name)]
public sealed class BaggageTests(LaggedReplicaFixture redis, ITestOutputHelper output)
{
    private const int Iterations = 50;

    [Fact]
    public async Task Middleware_TokenOnlyInBaggage_FreshWhenBaggageOn_StaleWhenOff()
    {
        using var writerClient = redis.CreateClient();
        using var readerClient = redis.CreateClient();
        await using var writer = await ItemsService.StartAsync(writerClient);
        await using var readerOn = await ItemsService.StartAsync(readerClient, o => o.Baggage = true);
        await using var readerOff = await ItemsService.StartAsync(readerClient);
        using var http = new HttpClient();

        var staleOn = await RunAsync(http, writer.Address, readerOn.Address);
        var staleOff = await RunAsync(http, writer.Address, readerOff.Address);

        output.WriteLine($"token carried only as baggage, {Iterations} hops: stale with baggage on {staleOn}, off {staleOff}");
        Assert.Equal(0, staleOn);
        Assert.True(staleOff > 0, "a reader that ignores baggage read no stale value: the setup proves nothing");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Handler_Baggage_WritesTheEntryOnlyWhenOn_KeepingOtherEntries(bool baggage)
    {
        using var clientA = redis.CreateClient();
        using var clientB = redis.CreateClient();
        await using var serviceB = await ItemsService.StartAsync(clientB);
        await using var wire = new RecordingTcpProxy(serviceB.Address);
        await using var serviceA = await RelayService.StartAsync(clientA, wire.Address, o => o.Baggage = baggage);
        using var http = new HttpClient();
        var incoming = await redis.CreateReplicatedTokenAsync(clientA);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serviceA.Address, $"relay/{RelayService.WithHandler}/bag-{Guid.NewGuid():N}/v"));
        request.Headers.Add(RywHeaderNames.Token, incoming.ToString());
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();

        var exchange = Assert.Single(wire.Exchanges());
        var sent = Assert.Single(exchange.RequestHeader(RywHeaderNames.Token));
        var bag = Assert.Single(exchange.RequestHeader(RywHeaderNames.Baggage));
        output.WriteLine($"baggage {(baggage ? "on" : "off")}: Ryw-Token: {sent} | baggage: {bag}");
        Assert.Equal(baggage ? $"userId=alice,ryw.token={sent}" : "userId=alice", bag);
    }

    private static async Task<int> RunAsync(HttpClient http, Uri writer, Uri reader)
    {
        var stale = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 5), async (lane, cancellationToken) =>
        {
            var key = $"baggage:{Guid.NewGuid():N}";
            for (var i = 0; i < Iterations / 5; i++)
            {
                using var put = await http.PutAsync(new Uri(writer, $"items/{key}/v{i}"), null, cancellationToken);
                var token = put.Headers.GetValues(RywHeaderNames.Token).Single();

                using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(reader, $"items/{key}"));
                get.Headers.TryAddWithoutValidation(RywHeaderNames.Baggage, $"tenant=contoso, {RywHeaderNames.BaggageKey}={token};source=gateway");
                using var response = await http.SendAsync(get, cancellationToken);
                if (await response.Content.ReadAsStringAsync(cancellationToken) != $"v{i}")
                {
                    Interlocked.Increment(ref stale);
                }
            }
        });

        return stale;
    }
}
