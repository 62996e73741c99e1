using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Unwraps queue messages bound to the queue SDK's own types (<see cref="BinaryData"/>, <see cref="QueueMessage"/>),
/// which the queue extension converts before any registered converter runs: they are bound first, and the value the
/// function will receive is replaced in the invocation's binding cache.
/// </summary>
internal static class QueueSdkTypeBinding
{
    public static async ValueTask UnwrapAsync(FunctionContext context, BindingMetadata trigger, QueueParameterShape shape)
    {
        switch (shape)
        {
            case QueueParameterShape.BinaryData:
                var data = await context.BindInputAsync<BinaryData>(trigger).ConfigureAwait(false);
                if (data.Value is { } body && Unwrap(context, body) is { } original)
                {
                    data.Value = BinaryData.FromString(original);
                }

                break;
            case QueueParameterShape.QueueMessage:
                var message = await context.BindInputAsync<QueueMessage>(trigger).ConfigureAwait(false);
                if (message.Value is { } received && received.Body is { } messageBody && Unwrap(context, messageBody) is { } text)
                {
                    message.Value = QueuesModelFactory.QueueMessage(
                        received.MessageId,
                        received.PopReceipt,
                        BinaryData.FromString(text),
                        received.DequeueCount,
                        received.NextVisibleOn,
                        received.InsertedOn,
                        received.ExpiresOn);
                }

                break;
            default:
                break;
        }
    }

    /// <returns>The original body when an envelope came off; <see langword="null"/> to leave the bound value alone.</returns>
    private static string? Unwrap(FunctionContext context, BinaryData body)
    {
        if (!QueueTriggerMapping.TryReadText(body.ToMemory(), out var text))
        {
            return null;
        }

        var unwrapped = QueueTriggerMapping.Unwrap(text);
        if (QueueTriggerMapping.ShouldImport(unwrapped))
        {
            RywQueueEnvelopeConverter.ImportOnce(context, unwrapped);
        }

        return QueueTriggerMapping.ShouldRebind(unwrapped) ? unwrapped.Body : null;
    }
}
