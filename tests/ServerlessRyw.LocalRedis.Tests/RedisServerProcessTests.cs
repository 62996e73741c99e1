using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis.Tests;

public sealed class RedisServerProcessTests
{
    [Fact]
    public async Task StartAsync_Defaults_AnswersOnLoopbackWithoutPersistence()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartAsync();

        Assert.Equal($"127.0.0.1:{server.Port}", server.EndPoint);
        Assert.True(server.IsRunning);
        Assert.Equal("PONG", await RespClient.ExecuteAsync(server.EndPoint, "PING"));
        Assert.Equal("save\n", await RespClient.ExecuteAsync(server.EndPoint, "CONFIG", "GET", "save"));
        Assert.Equal("repl-diskless-sync-delay\n0", await RespClient.ExecuteAsync(server.EndPoint, "CONFIG", "GET", "repl-diskless-sync-delay"));
    }

    [Fact]
    public async Task StartAsync_ExtraArguments_AreApplied()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartAsync(
            new RedisServerOptions { ExtraArguments = ["--maxmemory", "12mb"] });

        Assert.Equal("maxmemory\n12582912", await RespClient.ExecuteAsync(server.EndPoint, "CONFIG", "GET", "maxmemory"));
    }

    [Fact]
    public async Task StartAsync_TwoServers_GetDifferentPorts()
    {
        await using RedisServerProcess first = await RedisServerProcess.StartAsync();
        await using RedisServerProcess second = await RedisServerProcess.StartAsync();

        Assert.NotEqual(first.Port, second.Port);
    }

    [Fact]
    public async Task StartAsync_PortTaken_RetriesOnlyWhenPortWasRandom()
    {
        await using RedisServerProcess holder = await RedisServerProcess.StartAsync();

        var failure = await Assert.ThrowsAsync<RedisServerStartException>(
            () => RedisServerProcess.StartAsync(new RedisServerOptions { Port = holder.Port }));

        Assert.Contains("already in use", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BadArgument_ThrowsWithServerOutput()
    {
        var failure = await Assert.ThrowsAsync<RedisServerStartException>(
            () => RedisServerProcess.StartAsync(new RedisServerOptions { ExtraArguments = ["--no-such-directive", "1"] }));

        Assert.Contains("no-such-directive", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ExecutableMissing_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<RedisServerNotFoundException>(
            () => RedisServerProcess.StartAsync(new RedisServerOptions { ExecutablePath = "/nonexistent/redis-server" }));
    }

    [Fact]
    public void Locate_NotOnPath_ThrowsWithInstallHint()
    {
        var failure = Assert.Throws<RedisServerNotFoundException>(() => RedisExecutable.Locate(null, "/nonexistent-a:/nonexistent-b"));

        Assert.Equal(
            "redis-server was not found on PATH. Install it: sudo apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)",
            failure.Message);
    }

    [Fact]
    public async Task Kill_ThenRestartAsync_ServesAgainOnSamePortWithEmptyData()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartAsync();
        int port = server.Port;
        await RespClient.ExecuteAsync(server.EndPoint, "SET", "k", "v");

        server.Kill();

        Assert.False(server.IsRunning);
        await Assert.ThrowsAnyAsync<SocketException>(() => RespClient.ExecuteAsync(server.EndPoint, "PING"));

        await server.RestartAsync();

        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        Assert.Equal("PONG", await RespClient.ExecuteAsync(server.EndPoint, "PING"));
        Assert.Null(await RespClient.ExecuteAsync(server.EndPoint, "GET", "k"));
    }

    [Fact]
    public async Task RestartAsync_WhileRunning_ReplacesProcess()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartAsync();
        string? before = RedisInfo.Parse(await RespClient.ExecuteAsync(server.EndPoint, "INFO", "server"))["process_id"];

        await server.RestartAsync();

        string? after = RedisInfo.Parse(await RespClient.ExecuteAsync(server.EndPoint, "INFO", "server"))["process_id"];
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task DisposeAsync_RunningServer_KillsItAndDeletesDirectory()
    {
        RedisServerProcess server = await RedisServerProcess.StartAsync();
        string directory = server.DataDirectory;
        Assert.True(Directory.Exists(directory));

        await server.DisposeAsync();

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(directory));
        await Assert.ThrowsAnyAsync<SocketException>(() => RespClient.ExecuteAsync(server.EndPoint, "PING"));
        await server.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => server.RestartAsync());
    }
}
