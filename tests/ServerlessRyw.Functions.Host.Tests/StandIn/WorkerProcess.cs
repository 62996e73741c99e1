using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

/// <summary>
/// The built sample worker, started the way the Functions host starts a dotnet-isolated worker: <c>dotnet
/// &lt;worker dll&gt;</c> from the app directory, with the host's command-line switches and environment.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process) => _process = process;

    public string WorkerId { get; private init; } = string.Empty;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the worker wrote to stdout and stderr (the host captures this too).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public static WorkerProcess Start(string appDirectory, Uri hostUri, IReadOnlyDictionary<string, string?> environment)
    {
        var workerId = Guid.NewGuid().ToString();
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = appDirectory,
        };
        startInfo.ArgumentList.Add(Path.Combine(appDirectory, SampleApp.WorkerDll));
        foreach (var argument in new[]
        {
            "--functions-uri", hostUri.ToString(),
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", (128 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        startInfo.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        startInfo.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var worker = new WorkerProcess(process) { WorkerId = workerId };
        process.OutputDataReceived += (_, e) => worker.Add(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null && _output.Count < 2000)
        {
            _output.Enqueue(line);
        }
    }
}
