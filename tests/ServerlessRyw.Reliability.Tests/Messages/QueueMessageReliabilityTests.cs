using System.Collections.Concurrent;
using System.Threading.Channels;
using ServerlessRyw.Propagation;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Messages;

/// <summary>
/// Producer invocations write Redis and enqueue stamped messages; some messages are damaged on the way (truncated, from a
/// newer format version, malformed); consumers unwrap and read, some fail and are retried, a few end in the poison queue.
/// Every message must be delivered with its body unchanged (original body when the envelope was read, the message as
/// received otherwise), damaged envelopes counted, none lost, and a retried or poisoned message keeps its token.
/// </summary>
public sealed class QueueMessageReliabilityTests(ITestOutputHelper output)
{
    private const int MessageCount = 600;
    private const int MaxDequeueCount = 3;
    private static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(40);

    private enum Damage
    {
        None,
        Truncated,
        NewerVersion,
        Malformed,
        RetriedOnce,
        Poison,
    }

    [Fact]
    public async Task Queue_DamagedNewerRetriedAndPoisonMessages_DeliveredUnchangedCountedNoneLostTokensKept()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: Lag);
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        using var producer = new RywClient(primary, [replica]);
        using var consumer = new RywClient(primary, [replica], new RywOptions { WaitBudget = TimeSpan.FromMilliseconds(100) });
        using var envelopes = new EnvelopeCounter();
        var random = new Random(7);
        var sent = new ConcurrentDictionary<int, Sent>();
        var queue = Channel.CreateUnbounded<Delivery>();
        var poison = new ConcurrentBag<Delivery>();
        var completed = new ConcurrentDictionary<int, int>();
        var firstTokens = new ConcurrentDictionary<int, string?>();
        var problems = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<RywEnvelopeStatus, int>();
        var unprotected = 0;
        var fresh = 0;

        // Producers.
        for (var i = 0; i < MessageCount; i++)
        {
            RedisKey key = $"queue:{i}:{Guid.NewGuid():N}";
            var session = producer.CreateSession();
            await session.WriteAsync(db => db.StringSetAsync(key, $"v{i}"));
            var body = Body(i);
            var stamped = RywQueueEnvelope.Stamp(body, await session.GetTokenAsync());
            var damage = (Damage)(i % 6);
            var onTheWire = damage switch
            {
                Damage.Truncated => stamped[..random.Next(1, stamped.Length)],
                Damage.NewerVersion => stamped.Replace("ryw/1", random.Next(2) == 0 ? "ryw/2" : "ryw/17", StringComparison.Ordinal),
                Damage.Malformed => Malform(stamped, random),
                _ => stamped,
            };
            sent[i] = new Sent(key, body, stamped, onTheWire, damage, session.Token);
            await queue.Writer.WriteAsync(new Delivery(i, onTheWire, 1));
        }

        // Consumers: at-least-once delivery, the same body on every attempt, poison queue after MaxDequeueCount.
        var remaining = MessageCount;
        var consumers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await foreach (var delivery in queue.Reader.ReadAllAsync())
            {
                var message = sent[delivery.Id];
                var session = consumer.CreateSession();
                var result = RywQueueEnvelope.UnwrapInto(session, delivery.Body);
                statuses.AddOrUpdate(result.Status, 1, static (_, n) => n + 1);
                CheckDelivered(message, delivery, result, problems);
                var value = await session.ReadAsync(db => db.StringGetAsync(message.Key));
                if (result.Status == RywEnvelopeStatus.NotStamped)
                {
                    Interlocked.Increment(ref unprotected); // nothing recognisable arrived: nothing to honour
                }
                else if (value != $"v{delivery.Id}")
                {
                    problems.Enqueue($"#{delivery.Id} {message.Damage}: stale read {value} after {result.Status}");
                }
                else
                {
                    Interlocked.Increment(ref fresh);
                }

                // A retry must carry what the first attempt carried.
                var firstToken = firstTokens.GetOrAdd(delivery.Id, result.TokenText);
                if (firstToken != result.TokenText)
                {
                    problems.Enqueue($"#{delivery.Id}: attempt {delivery.DequeueCount} carried {result.TokenText}, the first {firstToken}");
                }

                var fails = message.Damage == Damage.Poison || (message.Damage == Damage.RetriedOnce && delivery.DequeueCount == 1);
                if (fails && delivery.DequeueCount < MaxDequeueCount)
                {
                    await queue.Writer.WriteAsync(delivery with { DequeueCount = delivery.DequeueCount + 1 });
                    continue;
                }

                if (fails)
                {
                    poison.Add(delivery);
                }
                else
                {
                    completed.AddOrUpdate(delivery.Id, 1, static (_, n) => n + 1);
                }

                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    queue.Writer.Complete();
                }
            }
        })).ToArray();
        await Task.WhenAll(consumers).WaitAsync(TimeSpan.FromSeconds(60));

        // A poisoned message still names the write its producer made.
        foreach (var dead in poison)
        {
            var unwrapped = RywQueueEnvelope.Unwrap(dead.Body);
            if (unwrapped.Token != sent[dead.Id].Token)
            {
                problems.Enqueue($"#{dead.Id}: the poison queue copy carries {unwrapped.Token}, the producer stamped {sent[dead.Id].Token}");
            }
        }

        var lost = Enumerable.Range(0, MessageCount).Count(i => !completed.ContainsKey(i) && poison.All(p => p.Id != i));
        var statusText = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}"));
        var stats = consumer.Statistics;
        var summary = $"sent={MessageCount} completed={completed.Count} poison={poison.Count} lost={lost} fresh={fresh} unprotected={unprotected} statuses: {statusText}; meter: {envelopes}{Environment.NewLine}{stats}{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(20))}";
        output.WriteLine(summary);
        Figures.Record(null, nameof(Queue_DamagedNewerRetriedAndPoisonMessages_DeliveredUnchangedCountedNoneLostTokensKept), "messages_sent", MessageCount);
        Figures.Record(null, nameof(Queue_DamagedNewerRetriedAndPoisonMessages_DeliveredUnchangedCountedNoneLostTokensKept), "messages_lost", lost);
        Figures.Record(null, nameof(Queue_DamagedNewerRetriedAndPoisonMessages_DeliveredUnchangedCountedNoneLostTokensKept), "summary", summary.Split(Environment.NewLine)[0]);

        Assert.True(problems.IsEmpty, summary);
        Assert.Equal(0, lost);
        Assert.All(completed.Values, n => Assert.Equal(1, n));
        Assert.Equal(MessageCount / 6, poison.Count);
        Assert.Equal(statuses.GetValueOrDefault(RywEnvelopeStatus.Malformed), envelopes["malformed"]);
        Assert.Equal(statuses.GetValueOrDefault(RywEnvelopeStatus.UnsupportedVersion), envelopes["unsupported_version"]);
        Assert.Equal(statuses.GetValueOrDefault(RywEnvelopeStatus.InvalidToken), envelopes["invalid_token"]);
        Assert.True(statuses.GetValueOrDefault(RywEnvelopeStatus.UnsupportedVersion) >= MessageCount / 6, summary);
        Assert.Equal(
            statuses.GetValueOrDefault(RywEnvelopeStatus.Malformed) + statuses.GetValueOrDefault(RywEnvelopeStatus.UnsupportedVersion) + statuses.GetValueOrDefault(RywEnvelopeStatus.InvalidToken),
            stats[RywTokenRejection.Malformed] + stats[RywTokenRejection.UnsupportedVersion] + stats[RywTokenRejection.TooLong] + stats[RywTokenRejection.TooManyPositions]);
        await AssertStaleWithoutToolkitAsync(primary, replica);
    }

    [Fact]
    public async Task Stamp_ForwardedAndRetriedMessage_KeepsOneEnvelopeWithTheNewestToken()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: Lag);
        using var client = lab.CreateClient();
        RedisKey key = $"forward:{Guid.NewGuid():N}";
        var producer = client.CreateSession();
        await producer.WriteAsync(db => db.StringSetAsync(key, "first"));
        var message = RywQueueEnvelope.Stamp("""{"step":1}""", await producer.GetTokenAsync());

        // The consumer writes again and forwards the message (a retry path re-stamping what it received).
        var consumer = client.CreateSession();
        var received = RywQueueEnvelope.UnwrapInto(consumer, message);
        await consumer.WriteAsync(db => db.StringSetAsync(key, "second"));
        var forwarded = RywQueueEnvelope.Stamp(message, await consumer.GetTokenAsync());
        var next = RywQueueEnvelope.Unwrap(forwarded);

        Assert.Equal(RywEnvelopeStatus.Unwrapped, next.Status);
        Assert.Equal("""{"step":1}""", next.Body); // one envelope, not an envelope inside an envelope
        Assert.True(received.Token.IsCoveredBy(next.Token));
        Assert.Equal("second", await Reader(client, next).ReadAsync(db => db.StringGetAsync(key)));
    }

    private static RywSession Reader(RywClient client, RywUnwrapResult message)
    {
        var session = client.CreateSession();
        message.ImportInto(session);
        return session;
    }

    private static string Body(int i) => (i % 5) switch
    {
        0 => $$"""{"orderId":{{i}},"note":"caf\u00e9"}""",
        1 => $"plain text order {i}\nwith a second line",
        2 => $"[{i},{i + 1}]",
        3 => Convert.ToBase64String(BitConverter.GetBytes((long)i * 7919)),
        _ => string.Empty,
    };

    private static string Malform(string stamped, Random random)
    {
        if (stamped.StartsWith(RywQueueEnvelope.TextPrefix, StringComparison.Ordinal))
        {
            // The line feed after the token is lost, or a character no token contains is spliced in.
            var newline = stamped.IndexOf('\n', StringComparison.Ordinal);
            return random.Next(2) == 0
                ? string.Concat(stamped.AsSpan(0, newline), " ", stamped.AsSpan(newline + 1))
                : stamped.Insert(RywQueueEnvelope.TextPrefix.Length + 3, "\u00e9");
        }

        // JSON: the token's text becomes something no token is.
        var at = stamped.LastIndexOf("\"ryw/1\":\"", StringComparison.Ordinal) + "\"ryw/1\":\"".Length;
        return string.Concat(stamped.AsSpan(0, at), "1.zz:-1", stamped.AsSpan(stamped.LastIndexOf('"')));
    }

    private static void CheckDelivered(Sent message, Delivery delivery, RywUnwrapResult result, ConcurrentQueue<string> problems)
    {
        var expected = result.Status switch
        {
            RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken when message.Damage == Damage.Truncated =>
                delivery.Body[(RywQueueEnvelope.TextPrefix.Length + result.TokenText!.Length + 1)..],
            RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken => message.Body,
            _ => delivery.Body,
        };
        if (result.Body != expected)
        {
            problems.Enqueue($"#{delivery.Id} {message.Damage} {result.Status}: delivered '{result.Body}', expected '{expected}'");
        }

        if (message.Damage is Damage.None or Damage.RetriedOnce or Damage.Poison && (result.Status != RywEnvelopeStatus.Unwrapped || result.Token != message.Token))
        {
            problems.Enqueue($"#{delivery.Id}: an undamaged message unwrapped as {result.Status} with {result.Token}");
        }

        if (message.Damage == Damage.NewerVersion && result.Status != RywEnvelopeStatus.UnsupportedVersion)
        {
            problems.Enqueue($"#{delivery.Id}: a newer-version envelope unwrapped as {result.Status}");
        }
    }

    /// <summary>The same consumers without the toolkit read the lagging replica and miss the producers' writes.</summary>
    private static async Task AssertStaleWithoutToolkitAsync(IConnectionMultiplexer primary, IConnectionMultiplexer replica)
    {
        using var unsafeClient = new RywClient(primary, [replica], new RywOptions { Mode = RywMode.ReplicaUnsafe });
        var stale = 0;
        for (var i = 0; i < 20; i++)
        {
            RedisKey key = $"queue-control:{i}:{Guid.NewGuid():N}";
            var producer = unsafeClient.CreateSession();
            await producer.WriteAsync(db => db.StringSetAsync(key, "v"));
            var message = RywQueueEnvelope.Stamp("{}", producer.Token);
            var session = unsafeClient.CreateSession();
            RywQueueEnvelope.UnwrapInto(session, message);
            stale += (await session.ReadAsync(db => db.StringGetAsync(key))).IsNull ? 1 : 0;
        }

        Assert.True(stale > 0, "without the toolkit consumers should read stale");
    }

    private sealed record Sent(RedisKey Key, string Body, string Stamped, string OnTheWire, Damage Damage, RywToken Token);

    private sealed record Delivery(int Id, string Body, int DequeueCount);
}
