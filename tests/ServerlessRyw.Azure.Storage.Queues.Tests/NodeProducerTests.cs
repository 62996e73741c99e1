using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using ServerlessRyw.Azure.Storage.Queues.Tests.Infrastructure;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Storage.Queues.Tests;

/// <summary>A producer in another language: the Node Azure Storage queue SDK (build/tools) sending envelopes to Azurite.</summary>
public sealed class NodeProducerTests(QueueFixture fixture) : IClassFixture<QueueFixture>
{
    private static readonly RywToken Token = RywToken.FromPosition(new ReplicationPosition("8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e", 4242));

    [Fact]
    public async Task NodeProducer_PrettyJsonBase64TextAndPlainText_EveryEnvelopeReadOrCounted()
    {
        var queue = await fixture.NewQueueAsync(QueueMessageEncoding.None);
        var prettyJson = $"{{\n  \"orderId\": \"o-7\",\n  \"ryw/1\": \"{Token}\"\n}}";
        var text = $"ryw/1 {Token}\nline one";
        var base64Text = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        await RunNodeAsync(queue.Name, [prettyJson, base64Text, text]);

        var received = (await queue.ReceiveMessagesAsync(maxMessages: 3)).Value;
        Assert.Equal(3, received.Length);
        var json = received[0].UnwrapToken();
        Assert.Equal(RywEnvelopeStatus.Unwrapped, json.Status);
        Assert.Equal(Token, json.Token);
        // The Node SDK drops the line feeds of the XML body: the JSON arrives on one line, still valid, still read.
        Assert.DoesNotContain("\n", received[0].Body.ToString(), StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(json.Body))
        {
            Assert.Equal("o-7", document.RootElement.GetProperty("orderId").GetString());
            Assert.False(document.RootElement.TryGetProperty(RywQueueEnvelope.JsonMemberName, out _));
        }

        // Base64, as the Functions queue extension reads by default: the line feed survives.
        var decoded = RywQueueEnvelope.Unwrap(Encoding.UTF8.GetString(Convert.FromBase64String(received[1].Body.ToString())));
        Assert.Equal(RywEnvelopeStatus.Unwrapped, decoded.Status);
        Assert.Equal("line one", decoded.Body);

        // Plain text through the Node SDK: whatever arrives is either the envelope or counted, never silently tokenless.
        var plain = received[2].Body.ToString();
        var plainResult = RywQueueEnvelope.Unwrap(plain);
        Assert.NotEqual(RywEnvelopeStatus.NotStamped, plainResult.Status);
        Assert.True(plain == text ? plainResult.Status == RywEnvelopeStatus.Unwrapped : plainResult.Status == RywEnvelopeStatus.Malformed,
            $"plain text arrived as {JsonSerializer.Serialize(plain)}: {plainResult.Status}");
    }

    private async Task RunNodeAsync(string queueName, string[] messages)
    {
        var root = AzuriteExecutable.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repository root not found");
        var startInfo = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "node", "producer.js"));
        startInfo.ArgumentList.Add(fixture.Azurite.ConnectionString);
        startInfo.ArgumentList.Add(queueName);
        startInfo.ArgumentList.Add(JsonSerializer.Serialize(messages));
        startInfo.Environment["NODE_PATH"] = Path.Combine(root, "build", "tools", "node_modules");
        using var node = Process.Start(startInfo)!;
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(node.ExitCode == 0, $"node producer failed: {await stderr}");
    }
}
