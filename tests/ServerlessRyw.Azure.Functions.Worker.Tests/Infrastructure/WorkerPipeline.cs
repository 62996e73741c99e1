using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Infrastructure;

/// <summary>
/// The real isolated-worker invocation pipeline (Microsoft.Azure.Functions.Worker.Core: function context, middleware
/// order, input converters and binding cache, output-binding middleware, function activation from DI), driven the way
/// the worker's gRPC invocation handler drives it, with plain objects in place of the host's protobuf messages.
/// </summary>
/// <remarks>
/// The worker keeps these entry points internal and grants its internals only to its own signed assemblies, so they
/// are reached by reflection here, and the invocation's bindings feature is a <see cref="DispatchProxy"/>. The
/// services are what <c>AddFunctionsWorkerDefaults()</c> registers without the gRPC channel to a host.
/// </remarks>
public sealed class WorkerPipeline : IDisposable
{
    private static readonly Assembly Core = typeof(FunctionContext).Assembly;
    private static readonly Type ApplicationType = CoreType("Microsoft.Azure.Functions.Worker.IFunctionsApplication");
    private static readonly Type FeaturesFactoryType = CoreType("Microsoft.Azure.Functions.Worker.IInvocationFeaturesFactory");
    private static readonly Type BindingsFeatureType = CoreType("Microsoft.Azure.Functions.Worker.Context.Features.IFunctionBindingsFeature");
    private static readonly Type OutputInfoProviderType = CoreType("Microsoft.Azure.Functions.Worker.OutputBindings.IOutputBindingsInfoProvider");
    private static readonly Type ConversionProviderType = CoreType("Microsoft.Azure.Functions.Worker.Context.Features.IInputConversionFeatureProvider");
    private static readonly Type ConversionFeatureType = CoreType("Microsoft.Azure.Functions.Worker.Context.Features.IInputConversionFeature");
    private static readonly Type DefaultConversionType = CoreType("Microsoft.Azure.Functions.Worker.Context.Features.DefaultInputConversionFeature");
    private static readonly Type DiagnosticsType = CoreType("Microsoft.Azure.Functions.Worker.Diagnostics.IWorkerDiagnostics");

    private readonly ServiceProvider _provider;
    private readonly object _application;
    private readonly object _featuresFactory;
    private readonly object _outputInfoProvider;
    private readonly object _conversionProvider;
    private readonly Dictionary<string, TestFunctionDefinition> _functions = new(StringComparer.Ordinal);

    /// <param name="settings">Configuration, as app settings would give it (keys like <c>ServerlessRyw:Primary</c>).</param>
    /// <param name="configure">Registers middleware before and after the adapter, as the app's Program.cs would.</param>
    public WorkerPipeline(IDictionary<string, string?> settings, Action<IFunctionsWorkerApplicationBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<Capture>();

        // AddFunctionsWorkerDefaults() without AddGrpc(): case-insensitive JSON, the default converters, the core.
        services.Configure<System.Text.Json.JsonSerializerOptions>(o => o.PropertyNameCaseInsensitive = true);
        CoreType("Microsoft.Extensions.DependencyInjection.ServiceCollectionExtensions")
            .GetMethod("AddDefaultInputConvertersToWorkerOptions", BindingFlags.Static | BindingFlags.NonPublic)!
            .Invoke(null, [services]);
        var builder = services.AddFunctionsWorkerCore();
        services.AddSingleton(DiagnosticsType, NoOpProxy.Create(DiagnosticsType));

        // ConfigureFunctionsWorkerDefaults: the app's configuration first, then the default middleware.
        configure(builder);
        builder.UseDefaultWorkerMiddleware();

        _provider = services.BuildServiceProvider();
        Services = _provider;
        _application = _provider.GetRequiredService(ApplicationType);
        _featuresFactory = _provider.GetRequiredService(FeaturesFactoryType);
        _outputInfoProvider = _provider.GetRequiredService(OutputInfoProviderType);
        _conversionProvider = _provider.GetRequiredService(ConversionProviderType);
    }

    public IServiceProvider Services { get; }

    public Capture Capture => _provider.GetRequiredService<Capture>();

    /// <summary>Loads a function of <see cref="TestFunctions"/>, as the host's FunctionLoadRequest would.</summary>
    public void Load(string method, params TestBinding[] bindings)
    {
        var definition = new TestFunctionDefinition(method, bindings);
        _functions[method] = definition;
        ApplicationType.GetMethod("LoadFunction")!.Invoke(_application, [definition]);
    }

    /// <summary>Runs one invocation through the whole pipeline and returns what the worker would send back to the host.</summary>
    public async Task<InvocationOutcome> InvokeAsync(
        string method,
        Func<FunctionContext, Dictionary<string, object?>> inputData,
        Dictionary<string, object?>? triggerMetadata = null)
    {
        var features = (IInvocationFeatures)FeaturesFactoryType.GetMethod("Create")!.Invoke(_featuresFactory, null)!;
        features.Set<FunctionInvocation>(new TestInvocation(_functions[method].Id));
        var context = (FunctionContext)ApplicationType.GetMethod("CreateContext")!.Invoke(_application, [features, CancellationToken.None])!;

        var bindings = BindingsProxy.Create(BindingsFeatureType, context, _outputInfoProvider, OutputInfoProviderType, inputData(context), triggerMetadata ?? []);
        SetFeature(features, BindingsFeatureType, bindings);
        object?[] tryCreate = [DefaultConversionType, null];
        if ((bool)ConversionProviderType.GetMethod("TryCreate")!.Invoke(_conversionProvider, tryCreate)!)
        {
            SetFeature(features, ConversionFeatureType, tryCreate[1]!);
        }

        await ((Task)ApplicationType.GetMethod("InvokeFunctionAsync")!.Invoke(_application, [context])!).ConfigureAwait(false);
        var state = BindingsProxy.StateOf(bindings);
        return new InvocationOutcome(context, new Dictionary<string, object?>(state.OutputBindingData), state.InvocationResult);
    }

    public void Dispose() => _provider.Dispose();

    private static Type CoreType(string name) =>
        Core.GetType(name, throwOnError: false)
        ?? throw new InvalidOperationException($"The worker no longer has {name}; update the test pipeline to the worker's invocation handler.");

    private static void SetFeature(IInvocationFeatures features, Type type, object instance) =>
        typeof(IInvocationFeatures).GetMethod(nameof(IInvocationFeatures.Set))!.MakeGenericMethod(type).Invoke(features, [instance]);
}

/// <summary>What the worker sends back to the host after an invocation: output binding values and the return value.</summary>
public sealed record InvocationOutcome(FunctionContext Context, IReadOnlyDictionary<string, object?> Outputs, object? ReturnValue);
