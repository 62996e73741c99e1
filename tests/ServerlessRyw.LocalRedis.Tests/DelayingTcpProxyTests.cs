using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace ServerlessRyw.LocalRedis.Tests;

public sealed class DelayingTcpProxyTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);

    // Lower bounds are exact (the proxy never delivers early); upper bounds are generous because this suite
    // runs beside other test assemblies on 2 cores, where timers and continuations can run late.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Start_ZeroDelay_PassesDataThroughUnchanged()
    {
        await using var echo = new EchoServer();
        await using var proxy = DelayingTcpProxy.Start(echo.EndPoint);
        using Socket client = await ConnectAsync(proxy);
        var receiver = new TimedReceiver(client, Stopwatch.GetTimestamp());

        byte[] payload = Encoding.ASCII.GetBytes(new string('x', 200_000));
        await client.SendAsync(payload, SocketFlags.None);
        await receiver.WaitForBytesAsync(payload.Length, TimeSpan.FromSeconds(5));

        Assert.Equal(payload.Length, receiver.Arrivals.Count);
        Assert.All(receiver.Arrivals, a => Assert.Equal('x', a.Byte));
        Assert.Equal(1, proxy.ConnectionCount);
    }

    [Fact]
    public async Task Delay_ChunksSentApart_EachArrivesOneDelayLaterInOrder()
    {
        await using var echo = new EchoServer();
        await using var proxy = DelayingTcpProxy.Start(echo.EndPoint);
        using Socket client = await ConnectAsync(proxy);
        await WarmUpAsync(client);
        proxy.Delay = Delay;
        long origin = Stopwatch.GetTimestamp();
        var receiver = new TimedReceiver(client, origin);

        const string Sent = "abcde";
        var sentAt = new List<TimeSpan>();
        foreach (char c in Sent)
        {
            sentAt.Add(Stopwatch.GetElapsedTime(origin));
            await client.SendAsync(new[] { (byte)c }, SocketFlags.None);
            await Task.Delay(20);
        }

        await receiver.WaitForBytesAsync(Sent.Length, TimeSpan.FromSeconds(5));

        IReadOnlyList<(char Byte, TimeSpan At)> arrivals = receiver.Arrivals;
        string timeline = $"sent at {string.Join(", ", sentAt.Select(t => t.TotalMilliseconds))} ms, arrived at {string.Join(", ", arrivals.Select(a => a.At.TotalMilliseconds))} ms";
        Assert.Equal(Sent, new string(arrivals.Select(a => a.Byte).ToArray()));
        for (int i = 0; i < Sent.Length; i++)
        {
            Assert.True(arrivals[i].At - sentAt[i] >= Delay - TimerGranularity, $"Byte {i} arrived early: {timeline}");
            Assert.True(arrivals[i].At - sentAt[i] <= Delay + Slack, $"Byte {i} arrived late: {timeline}");
        }

        // Held one delay from arrival, not one delay after the previous delivery: a cumulative delay would
        // deliver the last byte ~5 delays after the first was sent.
        Assert.True(arrivals[^1].At - sentAt[0] < Sent.Length * Delay, $"Delays added up: {timeline}");
    }

    [Fact]
    public async Task DelayBothDirections_True_RoundTripTakesTwoDelays()
    {
        await using var echo = new EchoServer();
        await using var proxy = DelayingTcpProxy.Start(echo.EndPoint, delayBothDirections: true);
        using Socket client = await ConnectAsync(proxy);
        await WarmUpAsync(client);
        proxy.Delay = Delay;
        long origin = Stopwatch.GetTimestamp();
        var receiver = new TimedReceiver(client, origin);

        await client.SendAsync("p"u8.ToArray(), SocketFlags.None);
        await receiver.WaitForBytesAsync(1, TimeSpan.FromSeconds(5));

        Assert.InRange(receiver.Arrivals[0].At, (2 * Delay) - TimerGranularity, (2 * Delay) + Slack);
    }

    [Fact]
    public async Task Delay_ChangedAtRuntime_AppliesToChunksReceivedAfterwards()
    {
        await using var echo = new EchoServer();
        await using var proxy = DelayingTcpProxy.Start(echo.EndPoint);
        using Socket client = await ConnectAsync(proxy);
        await WarmUpAsync(client);
        long origin = Stopwatch.GetTimestamp();
        var receiver = new TimedReceiver(client, origin);

        await client.SendAsync("a"u8.ToArray(), SocketFlags.None);
        await receiver.WaitForBytesAsync(1, TimeSpan.FromSeconds(5));
        proxy.Delay = Delay;
        TimeSpan sentAt = Stopwatch.GetElapsedTime(origin);
        await client.SendAsync("b"u8.ToArray(), SocketFlags.None);
        await receiver.WaitForBytesAsync(2, TimeSpan.FromSeconds(5));

        Assert.InRange(receiver.Arrivals[1].At - sentAt, Delay - TimerGranularity, Delay + Slack);
    }

    [Fact]
    public async Task CutConnections_OpenConnection_ClientSeesCloseAndNewConnectionsWork()
    {
        await using var echo = new EchoServer();
        await using var proxy = DelayingTcpProxy.Start(echo.EndPoint, Delay);
        using Socket client = await ConnectAsync(proxy);
        var receiver = new TimedReceiver(client, Stopwatch.GetTimestamp());
        await WaitUntilAsync(() => proxy.ConnectionCount == 1);

        int cut = proxy.CutConnections();

        Assert.Equal(1, cut);
        Assert.True(await CompletesWithinAsync(receiver.Closed, TimeSpan.FromSeconds(2)), "The client was not disconnected.");
        await WaitUntilAsync(() => proxy.ConnectionCount == 0);
        using Socket again = await ConnectAsync(proxy);
        Assert.Equal("z", await RoundTripAsync(again, "z"));
    }

    [Fact]
    public async Task Paused_True_NewConnectionsAreClosedUntilResumed()
    {
        await using var echo = new EchoServer();
        await using var proxy = DelayingTcpProxy.Start(echo.EndPoint);

        proxy.Paused = true;
        using Socket refused = await ConnectAsync(proxy);
        var receiver = new TimedReceiver(refused, Stopwatch.GetTimestamp());
        Assert.True(await CompletesWithinAsync(receiver.Closed, TimeSpan.FromSeconds(2)), "A paused proxy kept the connection open.");

        proxy.Paused = false;
        using Socket accepted = await ConnectAsync(proxy);
        Assert.Equal("q", await RoundTripAsync(accepted, "q"));
    }

    [Fact]
    public async Task TargetClosesConnection_ClientSeesClose()
    {
        await using var closer = new EchoServer(closeImmediately: true);
        await using var proxy = DelayingTcpProxy.Start(closer.EndPoint, Delay);
        using Socket client = await ConnectAsync(proxy);
        var receiver = new TimedReceiver(client, Stopwatch.GetTimestamp());

        Assert.True(await CompletesWithinAsync(receiver.Closed, TimeSpan.FromSeconds(2)), "The target's close was not passed on.");

        // A half-close is passed on as one: the connection lives until the client closes its side too.
        client.Shutdown(SocketShutdown.Send);
        await WaitUntilAsync(() => proxy.ConnectionCount == 0);
    }

    [Fact]
    public async Task Start_TargetDown_ClientConnectionIsClosed()
    {
        string deadEndPoint;
        await using (var gone = new EchoServer())
        {
            deadEndPoint = gone.EndPoint;
        }

        await using var proxy = DelayingTcpProxy.Start(deadEndPoint);
        using Socket client = await ConnectAsync(proxy);
        var receiver = new TimedReceiver(client, Stopwatch.GetTimestamp());

        Assert.True(await CompletesWithinAsync(receiver.Closed, TimeSpan.FromSeconds(2)), "The client was not told the target is down.");
    }

    [Fact]
    public async Task DisposeAsync_WithDataInFlight_ClosesClientsAndStopsListening()
    {
        await using var echo = new EchoServer();
        var proxy = DelayingTcpProxy.Start(echo.EndPoint, TimeSpan.FromSeconds(30));
        using Socket client = await ConnectAsync(proxy);
        var receiver = new TimedReceiver(client, Stopwatch.GetTimestamp());
        await client.SendAsync("held for 30 s"u8.ToArray(), SocketFlags.None);
        await WaitUntilAsync(() => proxy.ConnectionCount == 1);

        Task disposing = proxy.DisposeAsync().AsTask();

        Assert.True(await CompletesWithinAsync(disposing, TimeSpan.FromSeconds(2)), "Dispose waited for queued data.");
        Assert.True(await CompletesWithinAsync(receiver.Closed, TimeSpan.FromSeconds(2)), "The client was not disconnected.");
        Assert.Equal(0, proxy.ConnectionCount);
        await Assert.ThrowsAnyAsync<SocketException>(() => ConnectAsync(proxy));
    }

    [Fact]
    public void Delay_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DelayingTcpProxy.Start("127.0.0.1:1", TimeSpan.FromMilliseconds(-1)));
    }

    private static async Task<Socket> ConnectAsync(DelayingTcpProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync("127.0.0.1", proxy.Port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One round trip through a fresh connection, so timing assertions measure the steady state, not the
    /// target connect and first-use JIT of the proxy (hundreds of ms when the suite starts on 2 busy cores).
    /// </summary>
    private static async Task WarmUpAsync(Socket client) => Assert.Equal("w", await RoundTripAsync(client, "w"));

    private static async Task<string> RoundTripAsync(Socket socket, string text)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);
        byte[] buffer = new byte[text.Length];
        int total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (total < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            total += read;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout) =>
        await Task.WhenAny(task, Task.Delay(timeout)) == task;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var limit = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(5), "Condition not met within 5 s.");
            await Task.Delay(5);
        }
    }
}
