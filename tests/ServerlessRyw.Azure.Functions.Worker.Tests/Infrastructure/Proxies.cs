using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Infrastructure;

/// <summary>Implements any interface with methods that do nothing (the worker's diagnostics sink).</summary>
public class NoOpProxy : DispatchProxy
{
    public static object Create(Type interfaceType) => DispatchProxy.Create(interfaceType, typeof(NoOpProxy));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => null;
}

/// <summary>
/// The invocation's bindings feature, as the gRPC layer builds it from an InvocationRequest: trigger metadata, input
/// data, output binding values, and the invocation result that becomes the return value.
/// </summary>
public class BindingsProxy : DispatchProxy
{
    private BindingsState _state = null!;

    public static object Create(Type interfaceType, FunctionContext context, object outputInfoProvider, Type outputInfoProviderType, Dictionary<string, object?> input, Dictionary<string, object?> trigger)
    {
        var proxy = DispatchProxy.Create(interfaceType, typeof(BindingsProxy));
        ((BindingsProxy)proxy)._state = new BindingsState(context, outputInfoProvider, outputInfoProviderType, input, trigger);
        return proxy;
    }

    public static BindingsState StateOf(object proxy) => ((BindingsProxy)proxy)._state;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_TriggerMetadata" => _state.TriggerMetadata,
        "get_InputData" => _state.InputData,
        "get_OutputBindingData" => _state.OutputBindingData,
        "get_OutputBindingsInfo" => _state.OutputBindingsInfo,
        "get_InvocationResult" => _state.InvocationResult,
        "set_InvocationResult" => _state.InvocationResult = args![0],
        _ => throw new NotSupportedException(targetMethod?.Name),
    };
}

public sealed class BindingsState(FunctionContext context, object outputInfoProvider, Type outputInfoProviderType, Dictionary<string, object?> input, Dictionary<string, object?> trigger)
{
    private object? _outputBindingsInfo;

    public IReadOnlyDictionary<string, object?> TriggerMetadata { get; } = new Dictionary<string, object?>(trigger, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, object?> InputData { get; } = new Dictionary<string, object?>(input, StringComparer.OrdinalIgnoreCase);

    public IDictionary<string, object?> OutputBindingData { get; } = new Dictionary<string, object?>();

    public object? InvocationResult { get; set; }

    public object OutputBindingsInfo => _outputBindingsInfo ??=
        outputInfoProviderType.GetMethod("GetBindingsInfo")!.Invoke(outputInfoProvider, [context.FunctionDefinition])!;
}
