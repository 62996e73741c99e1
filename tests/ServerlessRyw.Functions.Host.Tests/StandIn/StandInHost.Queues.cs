using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Google.Protobuf;
using ServerlessRyw.Functions.Host.Tests.Rpc;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

public sealed partial class StandInHost
{
    private readonly string _storageConnectionString;

    /// <summary>As <c>extensions.queues.maxDequeueCount</c> in host.json: deliveries before a message goes to <c>-poison</c>.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>What one queue-triggered invocation did with its message.</summary>
    public sealed record QueueInvocation(QueueMessage Message, InvocationResponse Invocation, FunctionInfo Function, bool Poisoned)
    {
        public bool Succeeded => Invocation.Result.Status == StatusResult.Types.Status.Success;
    }

    /// <summary>A client for a queue in Azurite, in the queue extension's default Base64 message encoding.</summary>
    public QueueClient Queue(string name) =>
        new(_storageConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The same queue read without decoding: the message text exactly as Azurite stores it.</summary>
    public QueueClient RawQueue(string name) => new(_storageConnectionString, name);

    /// <summary>
    /// Receives the next message of <paramref name="queueName"/> and invokes the function it triggers, as the queue
    /// listener does: delete on success; on failure leave it to reappear after <paramref name="visibilityTimeout"/>,
    /// or copy it to <c>&lt;queue&gt;-poison</c> once it was delivered <see cref="MaxDequeueCount"/> times.
    /// </summary>
    public async Task<QueueInvocation?> ProcessNextAsync(string queueName, TimeSpan? visibilityTimeout = null)
    {
        var queue = Queue(queueName);
        var message = (await queue.ReceiveMessageAsync(visibilityTimeout ?? TimeSpan.FromSeconds(1))).Value;
        if (message is null)
        {
            return null;
        }

        var function = _functions.Values.Single(f => string.Equals(f.TriggerQueue, queueName, StringComparison.OrdinalIgnoreCase));
        var text = message.Body.ToString();
        var data = function.DeferredBinding
            ? new TypedData { ModelBindingData = ModelBindingData(message, text) }
            : new TypedData { String = text };
        var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
        {
            ["QueueTrigger"] = new TypedData { String = text },
            ["Id"] = new TypedData { String = message.MessageId },
            ["PopReceipt"] = new TypedData { String = message.PopReceipt },
            ["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) },
            ["InsertionTime"] = new TypedData { Json = JsonSerializer.Serialize(message.InsertedOn) },
        };

        var response = await InvokeAsync(function, Guid.NewGuid().ToString(), [new ParameterBinding { Name = function.TriggerName, Data = data }], metadata);
        var poisoned = false;
        if (response.Result.Status == StatusResult.Types.Status.Success)
        {
            await RouteOutputsAsync(function, response);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        else if (message.DequeueCount >= MaxDequeueCount)
        {
            // The extension moves the message text unchanged to the poison queue.
            var poison = Queue(queueName + "-poison");
            await poison.CreateIfNotExistsAsync();
            await poison.SendMessageAsync(text);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            poisoned = true;
        }

        return new QueueInvocation(message, response, function, poisoned);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a message and processes it.</summary>
    public async Task<QueueInvocation> ProcessNextWithinAsync(string queueName, TimeSpan timeout, TimeSpan? visibilityTimeout = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await ProcessNextAsync(queueName, visibilityTimeout) is { } invocation)
            {
                return invocation;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No message arrived on {queueName} within {timeout}.");
            }

            await Task.Delay(50);
        }
    }

    private async Task RouteOutputsAsync(FunctionInfo function, InvocationResponse response)
    {
        foreach (var (bindingName, queueName) in function.QueueOutputs)
        {
            var data = bindingName == "$return"
                ? response.ReturnValue
                : response.OutputData.FirstOrDefault(o => string.Equals(o.Name, bindingName, StringComparison.OrdinalIgnoreCase))?.Data;
            var texts = Texts(data).ToList();
            if (texts.Count == 0)
            {
                continue;
            }

            var queue = Queue(queueName);
            await queue.CreateIfNotExistsAsync();
            foreach (var text in texts)
            {
                await queue.SendMessageAsync(text);
            }
        }
    }

    private static IEnumerable<string> Texts(TypedData? data) => data?.DataCase switch
    {
        TypedData.DataOneofCase.String => [data.String],
        TypedData.DataOneofCase.Json => [data.Json],
        TypedData.DataOneofCase.Bytes => [Encoding.UTF8.GetString(data.Bytes.Span)],
        TypedData.DataOneofCase.CollectionString => data.CollectionString.String,
        TypedData.DataOneofCase.CollectionBytes => data.CollectionBytes.Bytes.Select(b => Encoding.UTF8.GetString(b.Span)),
        _ => [],
    };

    private static ModelBindingData ModelBindingData(QueueMessage message, string text) => new()
    {
        Version = "1.0",
        Source = "AzureStorageQueues",
        ContentType = "application/json",
        Content = ByteString.CopyFromUtf8(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["MessageId"] = message.MessageId,
            ["PopReceipt"] = message.PopReceipt,
            ["MessageText"] = text,
            ["DequeueCount"] = message.DequeueCount,
            ["NextVisibleOn"] = message.NextVisibleOn?.UtcDateTime,
            ["InsertedOn"] = message.InsertedOn?.UtcDateTime,
            ["ExpiresOn"] = message.ExpiresOn?.UtcDateTime,
        })),
    };
}
