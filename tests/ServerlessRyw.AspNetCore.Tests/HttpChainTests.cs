using ServerlessRyw.AspNetCore.Tests.Infrastructure;
using ServerlessRyw.Propagation;
using Xunit.Abstractions;

namespace ServerlessRyw.AspNetCore.Tests;

/// <summary>
/// The HTTP chain: service 1 writes and answers with the token header; the caller forwards it to service 2,
/// which reads through a replica lagging 200 ms. Both services are real Kestrel servers with their own clients.
/// </summary>
[Collection(LaggedReplicaTests.Name)]
public sealed class HttpChainTests(LaggedReplicaFixture redis, ITestOutputHelper output)
{
    private const int Iterations = 200;
    private const int Lanes = 10;

    [Fact]
    public async Task Chain_CallerForwardsResponseHeader_NeverStale_AndStaleWithoutForwarding()
    {
        using var writerClient = redis.CreateClient();
        using var readerClient = redis.CreateClient();
        await using var writer = await ItemsService.StartAsync(writerClient);
        await using var reader = await ItemsService.StartAsync(readerClient);
        using var http = new HttpClient();

        var on = await RunAsync(http, writer.Address, reader.Address, forward: true);
        var readsOn = readerClient.Statistics;
        var off = await RunAsync(http, writer.Address, reader.Address, forward: false);

        output.WriteLine($"HTTP chain, replica lag {LaggedReplicaFixture.Lag.TotalMilliseconds} ms, {Iterations} iterations in {Lanes} lanes:");
        output.WriteLine($"  propagation on : stale {on.Stale}/{Iterations}, token headers on writer responses {on.Headers}, {on.Elapsed.TotalSeconds:0.0} s; reader outcomes {readsOn}");
        output.WriteLine($"  propagation off: stale {off.Stale}/{Iterations}, {off.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Iterations, on.Headers);
        Assert.Equal(0, on.Stale);
        Assert.True(off.Stale > 0, "without forwarding the header no read was stale: the setup proves nothing");
    }

    private static async Task<ChainResult> RunAsync(HttpClient http, Uri writer, Uri reader, bool forward)
    {
        var stale = 0;
        var headers = 0;
        var started = TimeProvider.System.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, Lanes), new ParallelOptions { MaxDegreeOfParallelism = Lanes }, async (lane, cancellationToken) =>
        {
            var key = $"http-chain:{forward}:{Guid.NewGuid():N}";
            for (var i = 0; i < Iterations / Lanes; i++)
            {
                var value = $"v{i}";
                using var put = await http.PutAsync(new Uri(writer, $"items/{key}/{value}"), null, cancellationToken);
                put.EnsureSuccessStatusCode();
                var token = put.Headers.TryGetValues(RywHeaderNames.Token, out var values) ? values.Single() : null;
                if (token is not null && RywToken.TryParse(token, out var parsed) && !parsed.IsEmpty)
                {
                    Interlocked.Increment(ref headers);
                }

                using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(reader, $"items/{key}"));
                if (forward && token is not null)
                {
                    get.Headers.Add(RywHeaderNames.Token, token);
                }

                using var response = await http.SendAsync(get, cancellationToken);
                if (await response.Content.ReadAsStringAsync(cancellationToken) != value)
                {
                    Interlocked.Increment(ref stale);
                }
            }
        });

        return new ChainResult(stale, headers, TimeProvider.System.GetElapsedTime(started));
    }

    private sealed record ChainResult(int Stale, int Headers, TimeSpan Elapsed);
}
