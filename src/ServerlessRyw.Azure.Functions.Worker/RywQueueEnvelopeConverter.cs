using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Takes the read-your-writes envelope off a queue message before the worker binds it: the session gets the token,
/// and the worker's own converters (registered after this one) turn the original body into the parameter's type, so a
/// <see cref="string"/> parameter receives the body and a POCO parameter its object.
/// </summary>
/// <remarks>
/// Registered first in <see cref="WorkerOptions.InputConverters"/>. It only acts on text sources of queue-triggered
/// functions that carry an envelope; for anything else it answers Unhandled and the worker goes on as without it.
/// <c>BinaryData</c> and <c>QueueMessage</c> parameters are bound by the queue extension's own converters, which run
/// before registered ones; <see cref="QueueSdkTypeBinding"/> unwraps those.
/// </remarks>
internal sealed class RywQueueEnvelopeConverter : IInputConverter
{
    // Marks the context this converter hands to the others, so it never unwraps its own output again.
    private const string UnwrappedProperty = "ServerlessRyw.Unwrapped";

    private readonly IServiceProvider _services;
    private readonly IOptions<WorkerOptions> _workerOptions;
    private readonly ILogger<RywQueueEnvelopeConverter> _logger;
    private readonly ConcurrentDictionary<Type, IInputConverter> _converters = new();
    private readonly ConcurrentDictionary<string, bool> _queueTriggered = new(StringComparer.Ordinal);

    public RywQueueEnvelopeConverter(IServiceProvider services, IOptions<WorkerOptions> workerOptions, ILogger<RywQueueEnvelopeConverter> logger)
    {
        _services = services;
        _workerOptions = workerOptions;
        _logger = logger;
    }

    public async ValueTask<ConversionResult> ConvertAsync(ConverterContext context)
    {
        if (context.Properties.ContainsKey(UnwrappedProperty)
            || !IsQueueTriggered(context.FunctionContext)
            || !QueueTriggerMapping.TryReadText(context.Source, out var text))
        {
            return ConversionResult.Unhandled();
        }

        RywUnwrapResult unwrapped;
        try
        {
            unwrapped = QueueTriggerMapping.Unwrap(text);
            if (QueueTriggerMapping.ShouldImport(unwrapped))
            {
                ImportOnce(context.FunctionContext, unwrapped);
            }
        }
#pragma warning disable CA1031 // Propagation must never fail the invocation: the message is bound as it was sent.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.UnwrapFailed(_logger, context.FunctionContext.FunctionDefinition.Name, exception);
            return ConversionResult.Unhandled();
        }

        if (!QueueTriggerMapping.ShouldRebind(unwrapped))
        {
            return ConversionResult.Unhandled();
        }

        // The worker's own fallback, run on the original body: the first registered converter that handles it wins.
        var inner = new UnwrappedConverterContext(context, unwrapped.Body);
        foreach (var converterType in _workerOptions.Value.InputConverters)
        {
            if (converterType == typeof(RywQueueEnvelopeConverter))
            {
                continue;
            }

            var converter = _converters.GetOrAdd(
                converterType, static (type, services) => (IInputConverter)ActivatorUtilities.GetServiceOrCreateInstance(services, type), _services);
            var result = await converter.ConvertAsync(inner).ConfigureAwait(false);
            if (result.Status != ConversionStatus.Unhandled)
            {
                return result;
            }
        }

        return ConversionResult.Unhandled();
    }

    internal static void ImportOnce(FunctionContext context, in RywUnwrapResult unwrapped)
    {
        // One message, one import, even if the worker binds the parameter twice.
        if (context.Items.ContainsKey(RywFunctionItemKeys.QueueTokenImported)
            || RywFunctionsMiddleware.GetSession(context) is not { } session)
        {
            return;
        }

        context.Items[RywFunctionItemKeys.QueueTokenImported] = true;
        unwrapped.ImportInto(session);
    }

    private bool IsQueueTriggered(FunctionContext context) =>
        _queueTriggered.GetOrAdd(context.FunctionId, static (_, definition) =>
            definition.InputBindings.Values.Any(static b => FunctionBindings.ClassifyInput(b.Type) == RywBindingKind.QueueTrigger),
            context.FunctionDefinition);

    private sealed class UnwrappedConverterContext : ConverterContext
    {
        public UnwrappedConverterContext(ConverterContext original, string body)
        {
            TargetType = original.TargetType;
            FunctionContext = original.FunctionContext;
            Source = body;
            var properties = new Dictionary<string, object>(original.Properties, StringComparer.Ordinal)
            {
                [UnwrappedProperty] = true,
            };
            Properties = properties;
        }

        public override Type TargetType { get; }

        public override object? Source { get; }

        public override FunctionContext FunctionContext { get; }

        public override IReadOnlyDictionary<string, object> Properties { get; }
    }
}
