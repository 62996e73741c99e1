using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRyw.Functions.Host.Tests.Rpc;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

/// <summary>
/// A small stand-in for the Azure Functions host: serves the worker's gRPC EventStream on loopback, launches the
/// built sample worker as the host does, initialises it (StartStream → WorkerInitRequest → FunctionsMetadataRequest →
/// FunctionLoadRequest), and invokes functions over the real protocol. HTTP is forwarded to the worker's advertised
/// HttpUri (ASP.NET Core integration); queue outputs go to real Azurite queues and come back as queue triggers.
/// </summary>
/// <remarks>What it does not emulate is listed in docs/azure-functions.md ("What the host tests prove").</remarks>
public sealed partial class StandInHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan InvocationTimeout = TimeSpan.FromSeconds(30);

    private readonly WorkerConnection _connection = new();
    private readonly Dictionary<string, FunctionInfo> _functions = new(StringComparer.OrdinalIgnoreCase);
    private WebApplication? _server;
    private WorkerProcess? _worker;

    private StandInHost(string azuriteConnectionString) => _storageConnectionString = azuriteConnectionString;

    /// <summary>The worker's HttpUri capability: where the ASP.NET Core integration listens.</summary>
    public Uri HttpUri { get; private set; } = null!;

    /// <summary>The capabilities the worker announced in its WorkerInitResponse.</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, FunctionInfo> Functions => _functions;

    public WorkerProcess Worker => _worker!;

    public IReadOnlyCollection<RpcLog> Logs => _connection.Logs;

    /// <summary>Starts the gRPC server, then the worker, and loads every function it reports.</summary>
    /// <param name="storageConnectionString">Azurite's connection string (the app's AzureWebJobsStorage).</param>
    /// <param name="settings">App settings, as environment variables (<c>ServerlessRyw__Primary</c>, ...).</param>
    public static async Task<StandInHost> StartAsync(string storageConnectionString, IReadOnlyDictionary<string, string?> settings)
    {
        var host = new StandInHost(storageConnectionString);
        try
        {
            await host.StartCoreAsync(settings);
            return host;
        }
        catch (Exception exception)
        {
            var output = host._worker?.Output;
            await host.DisposeAsync();
            throw new InvalidOperationException($"The worker did not start: {exception.Message}{System.Environment.NewLine}Worker output:{System.Environment.NewLine}{output}", exception);
        }
    }

    /// <summary>Only starts the server and the worker; for tests of a worker that must refuse to start.</summary>
    public static async Task<StandInHost> LaunchOnlyAsync(string storageConnectionString, IReadOnlyDictionary<string, string?> settings)
    {
        var host = new StandInHost(storageConnectionString);
        var uri = await host.StartServerAsync();
        host._worker = WorkerProcess.Start(SampleApp.Directory, uri, host.AppEnvironment(settings));
        return host;
    }

    /// <summary>Whether the worker connected (sent StartStream) within <paramref name="timeout"/>.</summary>
    public async Task<bool> ConnectedWithinAsync(TimeSpan timeout)
    {
        var exited = _worker!.WaitForExitAsync(CancellationToken.None);
        var first = await Task.WhenAny(_connection.Started, exited, Task.Delay(timeout));
        return first == _connection.Started;
    }

    /// <summary>Sends an InvocationRequest and waits for its InvocationResponse.</summary>
    public async Task<InvocationResponse> InvokeAsync(
        FunctionInfo function, string invocationId, IEnumerable<ParameterBinding> inputs, IDictionary<string, TypedData> triggerMetadata)
    {
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.Id,
            TraceContext = new RpcTraceContext { TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01" },
        };
        request.InputData.AddRange(inputs);
        request.TriggerMetadata.Add(triggerMetadata);
        var message = new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = request };
        var response = await _connection.RequestAsync(message, WorkerConnection.Keys.Invocation(invocationId), InvocationTimeout);
        return response.InvocationResponse;
    }

    public async ValueTask DisposeAsync()
    {
        _worker?.Dispose();
        if (_server is not null)
        {
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                await _server.StopAsync(stop.Token);
            }

            await _server.DisposeAsync();
        }

        _http.Dispose();
    }

    private Dictionary<string, string?> AppEnvironment(IReadOnlyDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string?>(settings, StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = _storageConnectionString,
        };
        return environment;
    }

    private async Task<Uri> StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 128 * 1024 * 1024);
        builder.Services.AddSingleton(_connection);
        _server = builder.Build();
        _server.MapGrpcService<WorkerConnection>();
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    private async Task StartCoreAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var uri = await StartServerAsync();
        var appDirectory = SampleApp.Directory;
        _worker = WorkerProcess.Start(appDirectory, uri, AppEnvironment(settings));
        if (!await ConnectedWithinAsync(StartTimeout))
        {
            throw new InvalidOperationException(_worker.HasExited ? $"the worker exited with code {_worker.ExitCode}" : "no StartStream");
        }

        var init = new WorkerInitRequest { HostVersion = "4.1040.0", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory };
        init.Capabilities["MultiStream"] = bool.TrueString;
        var initResponse = (await _connection.RequestAsync(
            new StreamingMessage { RequestId = Guid.NewGuid().ToString(), WorkerInitRequest = init }, WorkerConnection.Keys.Init, StartTimeout)).WorkerInitResponse;
        EnsureSuccess(initResponse.Result, "WorkerInitRequest");
        Capabilities = new Dictionary<string, string>(initResponse.Capabilities);
        HttpUri = new Uri(Capabilities.TryGetValue("HttpUri", out var httpUri) ? httpUri : throw new InvalidOperationException("no HttpUri capability"));
        await WaitForHttpAsync();

        var metadata = (await _connection.RequestAsync(
            new StreamingMessage { RequestId = Guid.NewGuid().ToString(), FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } },
            WorkerConnection.Keys.Metadata, StartTimeout)).FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "FunctionsMetadataRequest");
        foreach (var function in metadata.FunctionMetadataResults)
        {
            // The host loads each function with the metadata the worker indexed (unknown fields travel back unchanged).
            function.Directory = appDirectory;
            var load = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function };
            var loaded = (await _connection.RequestAsync(
                new StreamingMessage { RequestId = Guid.NewGuid().ToString(), FunctionLoadRequest = load }, WorkerConnection.Keys.Load(function.FunctionId), StartTimeout)).FunctionLoadResponse;
            EnsureSuccess(loaded.Result, "FunctionLoadRequest " + function.Name);
            _functions[function.Name] = new FunctionInfo(function);
        }
    }

    /// <summary>The worker advertises HttpUri before its Kestrel listens; the host, too, waits for it.</summary>
    private async Task WaitForHttpAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(HttpUri.Host, HttpUri.Port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{what} failed: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
        }
    }
}
