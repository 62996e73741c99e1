using System.Text;
using ServerlessRyw.Functions.Host.Tests.StandIn;
using ServerlessRyw.Propagation;
using StackExchange.Redis;

namespace ServerlessRyw.Functions.Host.Tests.Infrastructure;

/// <summary>What went over the wire, read back the way an outsider sees it.</summary>
public static class Wire
{
    public static RywToken HeaderToken(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("Ryw-Token", out var values), "no Ryw-Token header on " + response);
        Assert.True(RywToken.TryParse(Assert.Single(values), out var token));
        return token;
    }

    public static string Headers(HttpResponseMessage response) =>
        $"HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}\n" +
        string.Join('\n', response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));

    /// <summary>The next message's text exactly as Azurite stores it (Base64), and decoded.</summary>
    public static async Task<(string Stored, string Decoded)> PeekStoredAsync(StandInHost host, string queue)
    {
        var peeked = (await host.RawQueue(queue).PeekMessageAsync()).Value;
        Assert.NotNull(peeked);
        var stored = peeked.Body.ToString();
        return (stored, Encoding.UTF8.GetString(Convert.FromBase64String(stored)));
    }

    public static RywUnwrapResult Envelope(string decoded)
    {
        var result = RywQueueEnvelope.Unwrap(decoded);
        Assert.Equal(RywEnvelopeStatus.Unwrapped, result.Status);
        return result;
    }

    public static async Task<long> StaleHopsAsync(SampleHostFixture fixture)
    {
        await using var primary = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.Primary.EndPoint);
        var value = await primary.GetDatabase().StringGetAsync("sample:stale-hops");
        return value.HasValue ? (long)value : 0;
    }
}
