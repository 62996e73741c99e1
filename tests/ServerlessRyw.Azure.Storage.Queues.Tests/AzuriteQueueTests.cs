using System.Text;
using Azure;
using Azure.Storage.Queues;
using ServerlessRyw.Azure.Storage.Queues.Tests.Infrastructure;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Storage.Queues.Tests;

/// <summary>The queue helpers against a real Azurite: what is stored, what comes back, and what the service refuses.</summary>
public sealed class AzuriteQueueTests(QueueFixture fixture) : IClassFixture<QueueFixture>
{
    private async Task<(RywClient Client, RywSession Session, RywToken Token, string Key)> WriteAsync(RywMode mode = RywMode.Token)
    {
        var client = await fixture.ConnectAsync(mode);
        var session = client.CreateSession();
        var key = "k:" + Guid.NewGuid().ToString("N");
        await session.WriteAsync(db => db.StringSetAsync(key, "written"));
        return (client, session, await session.GetTokenAsync(), key);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.Base64)]
    [InlineData(QueueMessageEncoding.None)]
    public async Task SendMessageWithTokenAsync_EitherEncoding_StoredBytesAreTheEnvelopeAndReceiveUnwraps(QueueMessageEncoding encoding)
    {
        var (client, session, token, _) = await WriteAsync();
        using var _ = client;
        var queue = await fixture.NewQueueAsync(encoding);
        const string body = """{"orderId":"o-1","quantity":2}""";

        await queue.SendMessageWithTokenAsync(body, session, messageEncoding: encoding);

        // What Azurite holds, read without any decoding.
        var raw = (await fixture.Client(queue.Name, QueueMessageEncoding.None).PeekMessageAsync()).Value.Body.ToString();
        var stored = encoding == QueueMessageEncoding.Base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(raw)) : raw;
        Assert.Equal($$"""{"orderId":"o-1","quantity":2,"ryw/1":"{{token}}"}""", stored);

        var received = Assert.Single((await queue.ReceiveMessagesWithTokenAsync(maxMessages: 5)).Value);
        Assert.Equal(RywEnvelopeStatus.Unwrapped, received.Status);
        Assert.Equal(body, received.Body);
        Assert.Equal(token, received.Token);
    }

    [Fact]
    public async Task ReceiveMessageWithTokenAsync_VisibilityTimeoutRedelivery_KeepsTheTokenByteForByte()
    {
        var (client, session, token, _) = await WriteAsync();
        using var _ = client;
        var queue = await fixture.NewQueueAsync(QueueMessageEncoding.Base64);
        await queue.SendMessageWithTokenAsync("plain text body", session, messageEncoding: QueueMessageEncoding.Base64);

        var first = (await queue.ReceiveMessageWithTokenAsync(visibilityTimeout: TimeSpan.FromSeconds(1))).Value!;
        RywQueueMessage? second = null;
        for (var attempt = 0; attempt < 40 && second is null; attempt++)
        {
            await Task.Delay(100);
            second = (await queue.ReceiveMessageWithTokenAsync()).Value;
        }

        Assert.NotNull(second);
        Assert.Equal(1, first.DequeueCount);
        Assert.Equal(2, second.DequeueCount);
        Assert.Equal(first.Message.Body.ToArray(), second.Message.Body.ToArray());
        Assert.Equal(token, second.Token);
        Assert.Equal("plain text body", second.Body);
    }

    [Fact]
    public async Task PoisonCopy_AsTheHostMakesIt_KeepsTheToken()
    {
        var (client, session, token, _) = await WriteAsync();
        using var _ = client;
        var queue = await fixture.NewQueueAsync(QueueMessageEncoding.Base64);
        var poison = await fixture.NewQueueAsync(QueueMessageEncoding.Base64, queue.Name + "-poison");
        await queue.SendMessageWithTokenAsync("""{"n":1}""", session, messageEncoding: QueueMessageEncoding.Base64);

        // The host moves a message that failed maxDequeueCount times by sending its text to <queue>-poison.
        var failed = (await queue.ReceiveMessageAsync()).Value;
        await poison.SendMessageAsync(failed.Body);
        await queue.DeleteMessageAsync(failed.MessageId, failed.PopReceipt);

        var peeked = (await poison.PeekMessageAsync()).Value;
        var envelope = peeked.UnwrapToken();
        Assert.Equal(RywEnvelopeStatus.Unwrapped, envelope.Status);
        Assert.Equal(token, envelope.Token);
        Assert.Equal("""{"n":1}""", envelope.Body);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.None)]
    [InlineData(QueueMessageEncoding.Base64)]
    public async Task SendMessageWithTokenAsync_AtThe64KiBLimit_ServiceAcceptsAndOneMoreByteIsRefusedBeforeSending(QueueMessageEncoding encoding)
    {
        var (client, session, token, _) = await WriteAsync();
        using var _ = client;
        var queue = await fixture.NewQueueAsync(encoding);
        var overhead = RywQueueEnvelope.TextPrefix.Length + token.ToString().Length + 1;
        var fits = encoding == QueueMessageEncoding.Base64
            ? new string('b', (RywQueueEnvelope.MaxMessageLength / 4 * 3) - overhead)
            : new string('a', RywQueueEnvelope.MaxMessageLength - overhead);

        await queue.SendMessageWithTokenAsync(fits, session, messageEncoding: encoding);
        Assert.Throws<RywMessageTooLargeException>(() =>
            queue.SendMessageWithTokenAsync(fits + new string('a', 3), session, messageEncoding: encoding).GetAwaiter().GetResult());

        // The same measure as the service: the stamped size that fitted is exactly the limit, and past it the service refuses.
        var received = (await queue.ReceiveMessageWithTokenAsync()).Value!;
        Assert.Equal(fits, received.Body);
        var tooBig = encoding == QueueMessageEncoding.Base64
            ? new string('b', (RywQueueEnvelope.MaxMessageLength / 4 * 3) + 3)
            : new string('a', RywQueueEnvelope.MaxMessageLength + 1);
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendMessageAsync(tooBig));
        Assert.Equal(413, refused.Status); // RequestBodyTooLarge
    }

    [Fact]
    public async Task Chain_ProducerWritesConsumerReadsThroughLaggingReplica_SeesTheWriteOnlyWithTheToken()
    {
        const int Messages = 5;
        var stale = new Dictionary<RywMode, int>();
        foreach (var mode in new[] { RywMode.Token, RywMode.ReplicaUnsafe })
        {
            using var client = await fixture.ConnectAsync(mode);
            var queue = await fixture.NewQueueAsync(QueueMessageEncoding.Base64);
            for (var i = 0; i < Messages; i++)
            {
                var producer = client.CreateSession();
                var key = $"chain:{mode}:{Guid.NewGuid():N}";
                await producer.WriteAsync(db => db.StringSetAsync(key, "v"));
                await queue.SendMessageWithTokenAsync(key, producer, messageEncoding: QueueMessageEncoding.Base64);

                var message = (await queue.ReceiveMessageWithTokenAsync()).Value!;
                var consumer = client.CreateSession();
                message.ImportInto(consumer);
                var read = await consumer.ReadAsync(db => db.StringGetAsync(message.Body));
                stale[mode] = stale.GetValueOrDefault(mode) + (read == "v" ? 0 : 1);
            }
        }

        Assert.Equal(0, stale[RywMode.Token]);
        Assert.True(stale[RywMode.ReplicaUnsafe] > 0, "the lagging replica never served a stale read without the toolkit");
    }
}
