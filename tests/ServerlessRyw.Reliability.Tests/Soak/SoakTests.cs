using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Propagation;
using ServerlessRyw.Reliability.Tests.Faults;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.Reliability.Tests.Tokens;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Soak;

/// <summary>
/// Everything at once, for a while: chains of invocations, hostile tokens and damaged queue messages, while replicas lag,
/// flap, lose their link, hang and restart. CI runs it for a few seconds; <c>RYW_SOAK_MINUTES=10</c> makes it a soak:
/// <code>RYW_SOAK_MINUTES=10 dotnet test tests/ServerlessRyw.Reliability.Tests --filter Soak</code>
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    private const double DefaultMinutes = 0.25;
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };
    private static readonly TimeSpan Limit = ReadBudget.For(Options);

    [Fact]
    public async Task Soak_FaultsHostileTokensMessagesAndLoadTogether_NothingStaleNothingLostMemoryFlat()
    {
        var minutes = double.TryParse(Environment.GetEnvironmentVariable("RYW_SOAK_MINUTES"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : DefaultMinutes;
        var duration = TimeSpan.FromMinutes(minutes);
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(20));
        var connections = new[] { lab.Connect(lab.Primary.EndPoint) }.Concat(lab.Replicas.Select(r => lab.Connect(r.EndPoint))).ToArray();
        using var client = new RywClient(connections[0], connections[1..], Options);
        var servers = new[] { lab.Primary.EndPoint }.Concat(lab.Replicas.Select(r => r.EndPoint)).ToArray();
        var workload = new ChainWorkload("soak", lanes: 32);
        await workload.RunAsync(client, Limit, hopsPerLane: 2); // warm-up
        var connectionsBefore = await ClientConnections.DescribeAsync(servers);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var memorySamples = new List<long> { memoryBefore };
        var clock = Stopwatch.StartNew();

        using var stop = new CancellationTokenSource(duration);
        var hostile = new HostileTally();
        var messages = new MessageTally();
        var faults = new List<string>();
        var load = workload.RunAsync(client, Limit, stop: stop.Token);
        var tokens = Task.Run(() => HostileTokensAsync(client, hostile, stop.Token));
        var queue = Task.Run(() => MessagesAsync(client, messages, stop.Token));
        using (var starvation = new StarvationMonitor())
        {
            for (var cycle = 0; !stop.IsCancellationRequested; cycle++)
            {
                faults.Add(await InjectAsync(lab, cycle % 5));
                memorySamples.Add(GC.GetTotalMemory(forceFullCollection: false));
            }

            var result = await load.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.WhenAll(tokens, queue).WaitAsync(TimeSpan.FromSeconds(60));

            // Heal everything, let the connections come back, then compare.
            lab.Servers.LagProxy!.Paused = false;
            lab.Servers.SetLag(TimeSpan.FromMilliseconds(20));
            await lab.Servers.WaitForReplicasInSyncAsync();
            await Eventually.TrueAsync(() => connections.All(c => c.IsConnected), TimeSpan.FromSeconds(10), "every connection to be back");
            var connectionsAfter = await ClientConnections.DescribeAsync(servers);
            var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{clock.Elapsed.TotalMinutes:0.0} min: {result}{Environment.NewLine}hostile tokens: {hostile.Summary().Split(Environment.NewLine)[0]}{Environment.NewLine}" +
                $"messages: {messages}{Environment.NewLine}faults: {string.Join(", ", faults.GroupBy(f => f).Select(g => $"{g.Key} x{g.Count()}"))}{Environment.NewLine}" +
                $"memory: {memoryBefore / 1048576.0:0.00} MB -> {memoryAfter / 1048576.0:0.00} MB (peak sample {memorySamples.Max() / 1048576.0:0.00} MB); connections before: {connectionsBefore}; after: {connectionsAfter}; {starvation}");
            output.WriteLine(summary);
            Figures.Record(null, nameof(Soak_FaultsHostileTokensMessagesAndLoadTogether_NothingStaleNothingLostMemoryFlat), "summary", summary);

            ReplicaFaultTests.AssertHealthy(result);
            Assert.True(hostile.Failures == 0, hostile.Summary());
            Assert.True(hostile.Cases > 0 && messages.Sent > 0, summary);
            Assert.True(messages.Lost == 0 && messages.Problems == 0, summary);
            Assert.Equal(connectionsBefore, connectionsAfter);
            Assert.True(memoryAfter - memoryBefore < 16 * 1024 * 1024, summary);
            Assert.True(starvation.MaxDelay < TimeSpan.FromSeconds(1), summary);
        }
    }

    /// <summary>One fault, held for a moment and healed: flapping lag, a cut link, a hung replica, a crash and restart, lag far above budget.</summary>
    private static async Task<string> InjectAsync(FaultLab lab, int kind)
    {
        switch (kind)
        {
            case 0:
                for (var i = 0; i < 6; i++)
                {
                    lab.Servers.SetLag(TimeSpan.FromMilliseconds(i % 2 == 0 ? 300 : 0));
                    await Task.Delay(120);
                }

                lab.Servers.SetLag(TimeSpan.FromMilliseconds(20));
                return "flapping lag";
            case 1:
                lab.Servers.LagProxy!.Paused = true;
                lab.Servers.LagProxy.CutConnections();
                await Task.Delay(800);
                lab.Servers.LagProxy.Paused = false;
                await lab.Servers.WaitForReplicasInSyncAsync();
                return "link cut";
            case 2:
                await RespClient.ExecuteAsync(lab.Replicas[1].EndPoint, "CLIENT", "PAUSE", "600", "ALL");
                await Task.Delay(800);
                return "replica hung";
            case 3:
                lab.Replicas[1].Kill();
                await Task.Delay(500);
                await lab.Replicas[1].RestartAsync();
                await lab.Servers.WaitForReplicasInSyncAsync();
                return "replica crash+restart";
            default:
                lab.Servers.SetLag(TimeSpan.FromSeconds(1));
                await Task.Delay(700);
                lab.Servers.SetLag(TimeSpan.FromMilliseconds(20));
                await lab.Servers.WaitForReplicasInSyncAsync();
                return "lag above budget";
        }
    }

    private static async Task HostileTokensAsync(RywClient client, HostileTally tally, CancellationToken stop)
    {
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            RedisKey key = $"soak-hostile:{round}";
            var writer = client.CreateSession();
            await Guard(() => writer.WriteAsync(db => db.StringSetAsync(key, "fresh")));
            var position = writer.Token.Positions.Length > 0 ? writer.Token.Positions[0] : new ReplicationPosition("0", 0);
            var scene = new TokenScene(position.ReplicationId, position.Offset, await writer.ExportAsync(CancellationToken.None), DateTimeOffset.UtcNow);
            for (var i = 0; i < 20 && !stop.IsCancellationRequested; i++)
            {
                var hostile = HostileTokens.Create((round * 20) + i, scene);
                var clock = Stopwatch.StartNew();
                try
                {
                    var session = client.CreateSession();
                    RywPropagator.Default.ExtractInto(session, hostile.Values, static (values, _) => values);
                    var value = await session.ReadAsync(db => db.StringGetAsync(key), CancellationToken.None);
                    var oracle = TokenOracle.For(TokenOracle.Parts(hostile.Values), scene, scene.Offset);
                    HostileHeaderTokenTests.CheckFirstRead(hostile, oracle, value, clock.Elapsed, tally);
                }
                catch (Exception exception)
                {
                    tally.Case(hostile, mustBeFresh: false, clock.Elapsed);
                    tally.Escape(hostile, exception);
                }
            }
        }
    }

    private static async Task MessagesAsync(RywClient client, MessageTally tally, CancellationToken stop)
    {
        var random = new Random(11);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            RedisKey key = $"soak-message:{i}";
            var producer = client.CreateSession();
            if (!await Guard(() => producer.WriteAsync(db => db.StringSetAsync(key, "v"))))
            {
                continue;
            }

            var body = $$"""{"n":{{i}}}""";
            var message = RywQueueEnvelope.Stamp(body, await producer.GetTokenAsync(CancellationToken.None));
            message = (i % 4) switch
            {
                1 => message[..random.Next(1, message.Length)],
                2 => message.Replace("ryw/1", "ryw/9", StringComparison.Ordinal),
                _ => message,
            };
            tally.Sent++;
            try
            {
                var consumer = client.CreateSession();
                var result = RywQueueEnvelope.UnwrapInto(consumer, message);
                var expectedBody = result.Status == RywEnvelopeStatus.Unwrapped ? body : message;
                tally.Problems += result.Body == expectedBody ? 0 : 1;
                var value = await consumer.ReadAsync(db => db.StringGetAsync(key), CancellationToken.None);
                tally.Problems += result.Status != RywEnvelopeStatus.NotStamped && value != "v" ? 1 : 0;
                tally.Delivered++;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                tally.Problems++;
            }
        }
    }

    private static async Task<bool> Guard(Func<Task> write)
    {
        try
        {
            await write();
            return true;
        }
        catch (RedisException)
        {
            return false; // the primary never goes down in the soak; a failure here would show in the workload's counts
        }
    }

    private sealed class MessageTally
    {
        public long Sent { get; set; }

        public long Delivered { get; set; }

        public long Problems { get; set; }

        public long Lost => Sent - Delivered;

        public override string ToString() => $"sent={Sent} delivered={Delivered} lost={Lost} problems={Problems}";
    }
}
