using ServerlessRyw.AspNetCore.Tests.Infrastructure;
using ServerlessRyw.Propagation;
using Xunit.Abstractions;

namespace ServerlessRyw.AspNetCore.Tests;

/// <summary>
/// The HttpClient chain: service A calls B through the handler, B writes, A then reads through a replica
/// lagging 200 ms. B sits behind a proxy that records the raw bytes, so the test checks what was on the wire.
/// </summary>
[Collection(LaggedReplicaTests.Name)]
public sealed class HttpClientChainTests(LaggedReplicaFixture redis, ITestOutputHelper output)
{
    private const int Iterations = 200;
    private const int Lanes = 10;

    [Fact]
    public async Task Chain_AThroughHandler_ReadsWhatBWrote_AndStaleWithoutHandler()
    {
        using var clientA = redis.CreateClient();
        using var clientB = redis.CreateClient();
        await using var serviceB = await ItemsService.StartAsync(clientB);
        await using var wire = new RecordingTcpProxy(serviceB.Address);
        await using var serviceA = await RelayService.StartAsync(clientA, wire.Address);
        using var http = new HttpClient();

        // The caller arrives with the token of an earlier hop, already on the replica: A's reads may use the replica.
        var incoming = await redis.CreateReplicatedTokenAsync(clientA);

        ChainResult on, off;
        try
        {
            on = await RunAsync(http, serviceA.Address, RelayService.WithHandler, incoming);
            off = await RunAsync(http, serviceA.Address, RelayService.Plain, incoming);
        }
        finally
        {
            foreach (var entry in serviceA.Log.Entries.Concat(serviceB.Log.Entries))
            {
                output.WriteLine(entry);
            }
        }

        var exchanges = wire.Exchanges();
        var withHandler = exchanges.Where(e => e.RequestLine.Contains($"/{RelayService.WithHandler}-", StringComparison.Ordinal)).ToList();
        var plain = exchanges.Where(e => e.RequestLine.Contains($"/{RelayService.Plain}-", StringComparison.Ordinal)).ToList();
        output.WriteLine($"HttpClient chain, replica lag {LaggedReplicaFixture.Lag.TotalMilliseconds} ms, {Iterations} iterations in {Lanes} lanes:");
        output.WriteLine($"  handler on : stale {on.Stale}/{Iterations}, {on.Elapsed.TotalSeconds:0.0} s, requests to B on the wire {withHandler.Count}");
        output.WriteLine($"  handler off: stale {off.Stale}/{Iterations}, {off.Elapsed.TotalSeconds:0.0} s, requests to B on the wire {plain.Count}");
        output.WriteLine($"  A's read outcomes: {clientA.Statistics}");
        output.WriteLine($"  sample request to B:\n{withHandler[0].Request}");

        Assert.Equal(0, on.Stale);
        Assert.True(off.Stale > 0, "without the handler A never read stale data: the setup proves nothing");

        // On the wire: every request A sent through the handler carried exactly one token covering A's session, and
        // every response from B carried the token of B's write, beyond it.
        Assert.Equal(Iterations, withHandler.Count);
        foreach (var exchange in withHandler)
        {
            var sent = Assert.Single(exchange.RequestHeader(RywHeaderNames.Token));
            Assert.True(RywToken.TryParse(sent, out var sentToken) && incoming.IsCoveredBy(sentToken), $"request carried '{sent}'");
            var answered = Assert.Single(exchange.ResponseHeader(RywHeaderNames.Token));
            Assert.True(RywToken.TryParse(answered, out var answeredToken), $"response carried '{answered}'");
            Assert.False(answeredToken.IsCoveredBy(incoming), "B's token must name B's newer write");
            Assert.Equal(["userId=alice"], exchange.RequestHeader(RywHeaderNames.Baggage)); // baggage off by default
        }

        Assert.Equal(Iterations, plain.Count);
        Assert.All(plain, e => Assert.Empty(e.RequestHeader(RywHeaderNames.Token)));
    }

    [Fact]
    public async Task Handler_PendingWrite_TokenLeavesWithTheCall()
    {
        using var clientA = redis.CreateClient();
        using var clientB = redis.CreateClient();
        await using var serviceB = await ItemsService.StartAsync(clientB);
        await using var wire = new RecordingTcpProxy(serviceB.Address);
        await using var serviceA = await RelayService.StartAsync(clientA, wire.Address);
        using var http = new HttpClient();

        var on = await CountStaleAsync(http, new Uri(serviceA.Address, $"write-then-ask/{RelayService.WithHandler}/"), 20);
        var off = await CountStaleAsync(http, new Uri(serviceA.Address, $"write-then-ask/{RelayService.Plain}/"), 20);

        output.WriteLine($"write through Primary + MarkWritten, then B reads: stale with handler {on}/20, without {off}/20");
        Assert.Equal(0, on);
        Assert.True(off > 0);
        Assert.All(
            wire.Exchanges().Where(e => e.RequestLine.Contains("/pending-" + RelayService.WithHandler, StringComparison.Ordinal)),
            e => Assert.True(RywToken.TryParse(Assert.Single(e.RequestHeader(RywHeaderNames.Token)), out var t) && !t.IsEmpty));
    }

    private static async Task<int> CountStaleAsync(HttpClient http, Uri endpoint, int count)
    {
        var stale = 0;
        var name = endpoint.AbsolutePath.Contains(RelayService.Plain, StringComparison.Ordinal) ? RelayService.Plain : RelayService.WithHandler;
        for (var i = 0; i < count; i++)
        {
            var key = $"pending-{name}-{Guid.NewGuid():N}";
            using var response = await http.PostAsync(new Uri(endpoint, $"{key}/v{i}"), null);
            response.EnsureSuccessStatusCode();
            if (await response.Content.ReadAsStringAsync() != $"v{i}")
            {
                stale++;
            }
        }

        return stale;
    }

    private static async Task<ChainResult> RunAsync(HttpClient http, Uri serviceA, string client, RywToken incoming)
    {
        var stale = 0;
        var started = TimeProvider.System.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, Lanes), new ParallelOptions { MaxDegreeOfParallelism = Lanes }, async (lane, cancellationToken) =>
        {
            var key = $"{client}-{Guid.NewGuid():N}";
            for (var i = 0; i < Iterations / Lanes; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(serviceA, $"relay/{client}/{key}/v{i}"));
                request.Headers.Add(RywHeaderNames.Token, incoming.ToString());
                using var response = await http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
                if (await response.Content.ReadAsStringAsync(cancellationToken) != $"v{i}")
                {
                    Interlocked.Increment(ref stale);
                }
            }
        });

        return new ChainResult(stale, TimeProvider.System.GetElapsedTime(started));
    }

    private sealed record ChainResult(int Stale, TimeSpan Elapsed);
}
