using Microsoft.Extensions.DependencyInjection;
using ServerlessRyw.Http;
using ServerlessRyw.Propagation;
using StackExchange.Redis;

namespace ServerlessRyw.AspNetCore.Tests.Http;

/// <summary>The handler's own logic, against an inner handler that records requests: no server, no Redis.</summary>
public sealed class RywTokenHandlerUnitTests : IDisposable
{
    private const string IdA = "8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e";

    private static readonly RywToken Low = RywToken.FromPosition(new ReplicationPosition(IdA, 10));
    private static readonly RywToken High = RywToken.FromPosition(new ReplicationPosition(IdA, 900));

    private readonly ConnectionMultiplexer _nowhere = ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=200,connectRetry=0");
    private readonly RywClient _client;
    private readonly RywSessionAccessor _accessor = new();

    public RywTokenHandlerUnitTests() => _client = new RywClient(_nowhere, []);

    public void Dispose()
    {
        _accessor.Session = null;
        _client.Dispose();
        _nowhere.Dispose();
    }

    [Fact]
    public async Task Send_NoAmbientSession_PassesThroughUntouched()
    {
        var inner = new RecordingHandler(responseToken: High);
        using var http = new HttpClient(new RywTokenHandler(_accessor) { InnerHandler = inner });

        using var response = await http.GetAsync(new Uri("http://service.test/"));

        Assert.False(inner.Requests.Single().Contains(RywHeaderNames.Token));
    }

    [Fact]
    public async Task Send_AmbientSession_CarriesItsTokenAndMergesTheResponseToken()
    {
        var session = _client.CreateSession(Low);
        _accessor.Session = session;
        var inner = new RecordingHandler(responseToken: High);
        using var http = new HttpClient(new RywTokenHandler(_accessor) { InnerHandler = inner });

        using var response = await http.GetAsync(new Uri("http://service.test/"));

        Assert.Equal([Low.ToString()], inner.Requests.Single().GetValues(RywHeaderNames.Token));
        Assert.Equal(High, session.Token);
    }

    [Fact]
    public async Task Send_ResponseMergingOff_LeavesTheSessionAlone()
    {
        var session = _client.CreateSession(Low);
        _accessor.Session = session;
        var handler = new RywTokenHandler(_accessor, new RywTokenHandlerOptions { MergeResponseTokens = false }, null)
        {
            InnerHandler = new RecordingHandler(responseToken: High),
        };
        using var http = new HttpClient(handler);

        using var response = await http.GetAsync(new Uri("http://service.test/"));

        Assert.Equal(Low, session.Token);
    }

    [Fact]
    public async Task Send_RequestAlreadyCarriesANewerToken_KeepsTheNewerOne()
    {
        _accessor.Session = _client.CreateSession(Low);
        var inner = new RecordingHandler();
        using var http = new HttpClient(new RywTokenHandler(_accessor) { InnerHandler = inner });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://service.test/"));
        request.Headers.Add(RywHeaderNames.Token, High.ToString());

        using var response = await http.SendAsync(request);

        Assert.Equal([High.ToString()], inner.Requests.Single().GetValues(RywHeaderNames.Token));
    }

    [Fact]
    public async Task Send_RequestSentTwice_CarriesOneHeaderWithTheNewestToken()
    {
        var session = _client.CreateSession(Low);
        _accessor.Session = session;
        var inner = new RecordingHandler();
        using var invoker = new HttpMessageInvoker(new RywTokenHandler(_accessor) { InnerHandler = inner });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://service.test/"));

        // A retry handler outside this one resends the same message after the session moved on.
        using (await invoker.SendAsync(request, CancellationToken.None))
        {
        }

        session.Import(High);
        using (await invoker.SendAsync(request, CancellationToken.None))
        {
        }

        Assert.Equal([High.ToString()], inner.Requests[1].GetValues(RywHeaderNames.Token));
    }

    [Fact]
    public void Send_Synchronous_CarriesAndMergesToo()
    {
        var session = _client.CreateSession(Low);
        _accessor.Session = session;
        var inner = new RecordingHandler(responseToken: High);
        using var http = new HttpClient(new RywTokenHandler(_accessor) { InnerHandler = inner });

        using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, new Uri("http://service.test/")));

        Assert.Equal([Low.ToString()], inner.Requests.Single().GetValues(RywHeaderNames.Token));
        Assert.Equal(High, session.Token);
    }

    [Fact]
    public async Task Send_BadResponseToken_IsCountedNotThrown()
    {
        var session = _client.CreateSession(Low);
        _accessor.Session = session;
        var inner = new RecordingHandler(responseHeader: "not-a-token");
        using var http = new HttpClient(new RywTokenHandler(_accessor) { InnerHandler = inner });

        using var response = await http.GetAsync(new Uri("http://service.test/"));

        Assert.Equal(1, _client.Statistics[RywTokenRejection.Malformed]);
        Assert.Equal(Low, session.Token);
    }

    [Fact]
    public async Task AddReadYourWritesHandler_NamedClientOptions_ApplyPerClient()
    {
        var inner = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddHttpClient("bag").AddReadYourWritesHandler(o => o.Baggage = true).ConfigurePrimaryHttpMessageHandler(() => inner);
        services.AddHttpClient("plain").AddReadYourWritesHandler().ConfigurePrimaryHttpMessageHandler(() => inner);
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        provider.GetRequiredService<RywSessionAccessor>().Session = _client.CreateSession(High);

        using (await factory.CreateClient("bag").GetAsync(new Uri("http://service.test/")))
        using (await factory.CreateClient("plain").GetAsync(new Uri("http://service.test/")))
        {
        }

        Assert.Equal([$"ryw.token={High}"], inner.Requests[0].GetValues(RywHeaderNames.Baggage));
        Assert.False(inner.Requests[1].Contains(RywHeaderNames.Baggage));
        Assert.All(inner.Requests, r => Assert.Equal([High.ToString()], r.GetValues(RywHeaderNames.Token)));
    }

    /// <summary>Keeps a copy of each request's headers and answers with an optional token header.</summary>
    private sealed class RecordingHandler(RywToken responseToken = default, string? responseHeader = null) : HttpMessageHandler
    {
        public List<System.Net.Http.Headers.HttpRequestHeaders> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var copy = new HttpRequestMessage().Headers;
            foreach (var header in request.Headers)
            {
                copy.TryAddWithoutValidation(header.Key, header.Value);
            }

            lock (Requests)
            {
                Requests.Add(copy);
            }

            var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
            var value = responseHeader ?? (responseToken.IsEmpty ? null : responseToken.ToString());
            if (value is not null)
            {
                response.Headers.TryAddWithoutValidation(RywHeaderNames.Token, value);
            }

            return response;
        }
    }
}
