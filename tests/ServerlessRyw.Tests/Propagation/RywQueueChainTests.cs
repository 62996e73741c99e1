using System.Diagnostics.Metrics;
using System.Text.Json;
using ServerlessRyw.Propagation;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests.Propagation;

/// <summary>
/// The queue chain: an invocation writes and enqueues a stamped message; the consumer invocation unwraps it and
/// reads through a replica lagging 200 ms. The queue holds plain string bodies, like an Azure Storage queue.
/// </summary>
[Collection(RedisServerTests.Name)]
public sealed class RywQueueChainTests(ReplicaSetFixture servers, ITestOutputHelper output)
{
    private const int Iterations = 200;
    private const int Lanes = 10;

    [Fact]
    public async Task Chain_ConsumerUnwraps_NeverStale_AndStaleForAConsumerWithoutTheToolkit()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        using var producer = servers.CreateLaggedClient();
        using var consumer = servers.CreateLaggedClient();

        var on = await RunAsync(producer, consumer, unwrap: true);
        var off = await RunAsync(producer, consumer, unwrap: false);

        output.WriteLine($"queue chain, replica lag 200 ms, {Iterations} messages in {Lanes} lanes:");
        output.WriteLine($"  unwrapping consumer : stale {on}/{Iterations}; consumer outcomes {consumer.Statistics}");
        output.WriteLine($"  plain consumer      : stale {off}/{Iterations} (the stamped JSON still deserialized into the POCO every time)");
        Assert.Equal(0, on);
        Assert.True(off > 0, "a consumer without the toolkit read no stale value: the setup proves nothing");
    }

    [Fact]
    public async Task Chain_RedeliveredAndPoisonMessages_KeepBodyAndToken()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        using var client = servers.CreateLaggedClient();
        var queue = new InMemoryMessageQueue(maxDequeueCount: 3);
        var retried = new Work($"retry:{Guid.NewGuid():N}", "r");
        var poisoned = new Work($"poison:{Guid.NewGuid():N}", "p");
        var sentRetried = await ProduceAsync(client, queue, retried);
        var sentPoisoned = await ProduceAsync(client, queue, poisoned);
        var fresh = new List<bool>();

        // A consumer that fails the first attempt of one message and every attempt of the other.
        while (queue.Receive() is { } message)
        {
            var session = client.CreateSession();
            var unwrapped = RywQueueEnvelope.UnwrapInto(session, message.Body);
            var work = JsonSerializer.Deserialize<Work>(unwrapped.Body)!;
            fresh.Add(await session.ReadAsync(db => db.StringGetAsync(work.Key)) == work.Value);
            Assert.Equal(RywEnvelopeStatus.Unwrapped, unwrapped.Status);
            Assert.Equal(work.Key == retried.Key ? sentRetried : sentPoisoned, message.Body); // redelivered as sent
            if (work.Key == poisoned.Key || message.DequeueCount == 1)
            {
                queue.Abandon(message);
            }
        }

        // The poison queue's handler still gets the body and the token.
        var poison = Assert.Single(queue.Poison);
        var poisonSession = client.CreateSession();
        var poisonUnwrapped = RywQueueEnvelope.UnwrapInto(poisonSession, poison.Body);
        var poisonRead = await poisonSession.ReadAsync(db => db.StringGetAsync(poisoned.Key));

        output.WriteLine($"attempts {fresh.Count}, fresh {fresh.Count(f => f)}; poison dequeue count {poison.DequeueCount}");
        Assert.Equal(2 + 3, fresh.Count);
        Assert.All(fresh, Assert.True);
        Assert.Equal(sentPoisoned, poison.Body);
        Assert.Equal(3, poison.DequeueCount);
        Assert.Equal(JsonSerializer.Serialize(poisoned), poisonUnwrapped.Body);
        Assert.Equal("p", poisonRead.ToString());
    }

    [Fact]
    public async Task Chain_MalformedEnvelope_DeliveredUnchangedCountedAndReadCarefully()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        using var client = servers.CreateLaggedClient();
        using var malformedCount = new EnvelopeMeasurements("malformed");
        const int messages = 20;
        var careful = 0;
        var ignoring = 0;

        for (var i = 0; i < messages; i++)
        {
            // A producer that wrote, then damaged its envelope (the line feed after the token is gone).
            var work = new Work($"malformed:{Guid.NewGuid():N}", $"v{i}");
            var writer = client.CreateSession();
            await writer.WriteAsync(db => db.StringSetAsync(work.Key, work.Value));
            var body = RywQueueEnvelope.TextPrefix + await writer.GetTokenAsync() + " " + JsonSerializer.Serialize(work);

            var session = client.CreateSession();
            var unwrapped = RywQueueEnvelope.UnwrapInto(session, body);
            var plain = client.CreateSession(); // what treating it as "no token" would read
            var readCarefully = await session.ReadAsync(db => db.StringGetAsync(work.Key));
            var readIgnoring = await plain.ReadAsync(db => db.StringGetAsync(work.Key));

            Assert.Equal(RywEnvelopeStatus.Malformed, unwrapped.Status);
            Assert.Same(body, unwrapped.Body);
            careful += readCarefully == work.Value ? 0 : 1;
            ignoring += readIgnoring == work.Value ? 0 : 1;
        }

        output.WriteLine($"malformed envelopes: stale {careful}/{messages} read carefully, {ignoring}/{messages} if ignored; counted {malformedCount.Total}");
        Assert.Equal(0, careful);
        Assert.True(ignoring > 0);
        Assert.True(malformedCount.Total >= messages);
        Assert.Equal(messages, client.Statistics[RywTokenRejection.Malformed]);
    }

    private static async Task<int> RunAsync(RywClient producer, RywClient consumer, bool unwrap)
    {
        var stale = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Lanes), new ParallelOptions { MaxDegreeOfParallelism = Lanes }, async (lane, cancellationToken) =>
        {
            var queue = new InMemoryMessageQueue();
            var key = $"queue-chain:{unwrap}:{Guid.NewGuid():N}";
            for (var i = 0; i < Iterations / Lanes; i++)
            {
                await ProduceAsync(producer, queue, new Work(key, $"v{i}"), cancellationToken);

                // The consumer invocation: a fresh session, only the message body in hand.
                var message = queue.Receive()!;
                var session = consumer.CreateSession();
                var body = unwrap ? RywQueueEnvelope.UnwrapInto(session, message.Body).Body : message.Body;
                var work = JsonSerializer.Deserialize<Work>(body)!;
                var read = await session.ReadAsync(db => db.StringGetAsync(work.Key), cancellationToken);
                if (read != work.Value)
                {
                    Interlocked.Increment(ref stale);
                }
            }
        });

        return stale;
    }

    /// <summary>The producer invocation: writes, then enqueues a stamped JSON message; returns the body sent.</summary>
    private static async Task<string> ProduceAsync(RywClient client, InMemoryMessageQueue queue, Work work, CancellationToken cancellationToken = default)
    {
        var session = client.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync(work.Key, work.Value), cancellationToken);
        var body = RywQueueEnvelope.Stamp(JsonSerializer.Serialize(work), await session.GetTokenAsync(cancellationToken));
        queue.Send(body);
        return body;
    }

    public sealed record Work(string Key, string Value);

    private sealed class EnvelopeMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public EnvelopeMeasurements(string status)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RywClient.MeterName && instrument.Name == "ryw.queue.envelopes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "ryw.status" && (string?)tag.Value == status)
                    {
                        Interlocked.Add(ref _total, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
