using StackExchange.Redis;

namespace ServerlessRyw.TestSupport;

/// <summary>
/// A client whose connections lead nowhere: enough for what never touches Redis (importing tokens, counting
/// rejections), and proof that it does not.
/// </summary>
public sealed class OfflineClient : IDisposable
{
    private readonly ConnectionMultiplexer _connection =
        ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=200,connectRetry=0");

    public OfflineClient() => Client = new RywClient(_connection, []);

    public RywClient Client { get; }

    public void Dispose()
    {
        Client.Dispose();
        _connection.Dispose();
    }
}
