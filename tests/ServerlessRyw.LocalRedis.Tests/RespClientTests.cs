namespace ServerlessRyw.LocalRedis.Tests;

public sealed class RespClientTests : IClassFixture<StandaloneServerFixture>
{
    private readonly RedisServerProcess _server;

    public RespClientTests(StandaloneServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task ExecuteAsync_Ping_ReturnsSimpleString()
    {
        Assert.Equal("PONG", await RespClient.ExecuteAsync(_server.EndPoint, "PING"));
    }

    [Fact]
    public async Task ExecuteAsync_SetThenGet_ReturnsBulkString()
    {
        string key = NewKey();
        Assert.Equal("OK", await RespClient.ExecuteAsync(_server.EndPoint, "SET", key, "héllo wörld"));

        Assert.Equal("héllo wörld", await RespClient.ExecuteAsync(_server.EndPoint, "GET", key));
    }

    [Fact]
    public async Task ExecuteAsync_MissingKey_ReturnsNull()
    {
        Assert.Null(await RespClient.ExecuteAsync(_server.EndPoint, "GET", NewKey()));
    }

    [Fact]
    public async Task ExecuteAsync_Incr_ReturnsIntegerAsText()
    {
        string key = NewKey();
        await RespClient.ExecuteAsync(_server.EndPoint, "SET", key, "41");

        Assert.Equal("42", await RespClient.ExecuteAsync(_server.EndPoint, "INCR", key));
    }

    [Fact]
    public async Task ExecuteAsync_ArrayWithNil_JoinsElementsWithNewlines()
    {
        string key = NewKey();
        await RespClient.ExecuteAsync(_server.EndPoint, "SET", key, "v");

        Assert.Equal("v\n\nv", await RespClient.ExecuteAsync(_server.EndPoint, "MGET", key, NewKey(), key));
    }

    [Fact]
    public async Task ExecuteAsync_ErrorReply_ThrowsWithServerMessage()
    {
        var error = await Assert.ThrowsAsync<RedisErrorReplyException>(() => RespClient.ExecuteAsync(_server.EndPoint, "NOSUCHCOMMAND"));

        Assert.StartsWith("ERR unknown command", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_AfterErrorReply_ConnectionStaysUsable()
    {
        await using RespConnection connection = await RespConnection.ConnectAsync(_server.EndPoint);
        string key = NewKey();
        await connection.ExecuteAsync("RPUSH", key, "a");

        await Assert.ThrowsAsync<RedisErrorReplyException>(() => connection.ExecuteAsync("INCR", key));
        Assert.Equal("PONG", await connection.ExecuteAsync("PING"));
    }

    [Fact]
    public async Task ExecuteAsync_LargeBulkReply_ReadsItWhole()
    {
        string key = NewKey();
        string value = new('v', 100_000);
        await RespClient.ExecuteAsync(_server.EndPoint, "SET", key, value);

        Assert.Equal(value, await RespClient.ExecuteAsync(_server.EndPoint, "GET", key));
    }

    [Fact]
    public async Task Parse_InfoReplication_ReturnsFields()
    {
        string? info = await RespClient.ExecuteAsync(_server.EndPoint, "INFO", "replication");

        IReadOnlyDictionary<string, string> fields = RedisInfo.Parse(info);

        Assert.Equal("master", fields["role"]);
        Assert.True(long.Parse(fields["master_repl_offset"], System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }

    private static string NewKey() => "test:" + Guid.NewGuid().ToString("N");
}
