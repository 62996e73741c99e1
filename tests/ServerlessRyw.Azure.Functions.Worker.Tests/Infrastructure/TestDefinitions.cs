using System.Collections.Immutable;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Infrastructure;

public sealed class TestBinding(string name, string type, BindingDirection direction) : BindingMetadata
{
    public override string Name { get; } = name;

    public override string Type { get; } = type;

    public override BindingDirection Direction { get; } = direction;

    public static TestBinding In(string name, string type) => new(name, type, BindingDirection.In);

    public static TestBinding Out(string name, string type) => new(name, type, BindingDirection.Out);
}

/// <summary>A function's metadata as the host sends it at load time, for a method of <see cref="TestFunctions"/>.</summary>
public sealed class TestFunctionDefinition : FunctionDefinition
{
    public TestFunctionDefinition(string method, IEnumerable<TestBinding> bindings)
    {
        var info = typeof(TestFunctions).GetMethod(method) ?? throw new ArgumentException($"No function {method}.", nameof(method));
        Name = method;
        Id = method + "-id";
        EntryPoint = $"{typeof(TestFunctions).FullName}.{method}";
        PathToAssembly = typeof(TestFunctions).Assembly.Location;
        InputBindings = bindings.Where(b => b.Direction == BindingDirection.In).ToImmutableDictionary(b => b.Name, b => (BindingMetadata)b);
        OutputBindings = bindings.Where(b => b.Direction == BindingDirection.Out).ToImmutableDictionary(b => b.Name, b => (BindingMetadata)b);
        Parameters = [.. info.GetParameters().Select(p => new FunctionParameter(p.Name!, p.ParameterType, false, null, PropertiesOf(p)))];
    }

    public override ImmutableArray<FunctionParameter> Parameters { get; }

    public override string PathToAssembly { get; }

    public override string EntryPoint { get; }

    public override string Id { get; }

    public override string Name { get; }

    public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; }

    public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; }

    // What the worker records for a bound parameter: the binding attribute and the converters it advertises, which is
    // how the queue extension's BinaryData/QueueMessage converters get their turn.
    private static ImmutableDictionary<string, object> PropertiesOf(ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<BindingAttribute>() is not { } attribute)
        {
            return ImmutableDictionary<string, object>.Empty;
        }

        var converters = attribute.GetType().GetCustomAttributes<InputConverterAttribute>()
            .ToDictionary(c => c.ConverterType, c => c.ConverterType.GetCustomAttributes<SupportedTargetTypeAttribute>().Select(s => s.TargetType).ToList());
        return new Dictionary<string, object>
        {
            ["bindingAttribute"] = attribute,
            ["bindingAttributeSupportedConverters"] = converters,
            ["converterFallbackBehavior"] = ConverterFallbackBehavior.Default,
        }.ToImmutableDictionary();
    }
}

public sealed class TestInvocation(string functionId) : FunctionInvocation
{
    public override string Id { get; } = Guid.NewGuid().ToString("N");

    public override string FunctionId { get; } = functionId;

    public override TraceContext TraceContext { get; } = new EmptyTrace();

    private sealed class EmptyTrace : TraceContext
    {
        public override string TraceParent => string.Empty;

        public override string TraceState => string.Empty;
    }
}

/// <summary>A queue message as the host sends it for a QueueMessage or BinaryData parameter (deferred binding).</summary>
public sealed class TestQueueModelBindingData(BinaryData content) : Microsoft.Azure.Functions.Worker.Core.ModelBindingData
{
    public override string Version => "1.0";

    public override string Source => "AzureStorageQueues";

    public override BinaryData Content { get; } = content;

    public override string ContentType => "application/json";

    public static TestQueueModelBindingData For(string messageText, string messageId = "m-1", long dequeueCount = 1) =>
        new(BinaryData.FromObjectAsJson(new Dictionary<string, object>
        {
            ["MessageText"] = messageText,
            ["MessageId"] = messageId,
            ["PopReceipt"] = "receipt",
            ["DequeueCount"] = dequeueCount,
            ["InsertionTime"] = DateTimeOffset.UtcNow,
            ["ExpirationTime"] = DateTimeOffset.UtcNow.AddDays(7),
            ["NextVisibleTime"] = DateTimeOffset.UtcNow,
        }));
}
