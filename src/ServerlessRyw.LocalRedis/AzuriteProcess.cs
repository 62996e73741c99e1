using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A real Azurite (the Azure Storage emulator) child process on free 127.0.0.1 ports, in memory, for tests and demos.
/// Dispose it to kill its process tree and delete its temp workspace; instances not disposed are killed when this
/// process ends, and ones left by a killed test host are reaped by the next start (as for <see cref="RedisServerProcess"/>).
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable, IKilledOnShutdown
{
    /// <summary>Azurite's well-known development account (public, documented by Microsoft; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="AccountName"/>.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    internal const string DirectoryPrefix = "ryw-azurite-";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly BoundedLog _output = new(200);
    private readonly Lock _gate = new();
    private Process? _process;
    private bool _disposed;

    private AzuriteProcess(string executablePath)
    {
        ExecutablePath = executablePath;
        BlobPort = FreePort.Pick();
        QueuePort = FreePort.Pick();
        TablePort = FreePort.Pick();
        Location = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        ServerDirectory.WriteOwner(Location, Environment.ProcessId, CurrentStartTicks.Value);
        AzuriteCleanup.Register(this);
    }

    private static readonly Lazy<long> CurrentStartTicks = new(() =>
    {
        using var current = Process.GetCurrentProcess();
        return ServerDirectory.ProcessStartTicks(current);
    });

    /// <summary>The launcher that was started.</summary>
    public string ExecutablePath { get; }

    /// <summary>The blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>The table service port.</summary>
    public int TablePort { get; }

    /// <summary>Azurite's working directory (its default location; data stays in memory); deleted on dispose.</summary>
    public string Location { get; }

    /// <summary>The queue service endpoint, <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri QueueEndpoint => new(string.Create(CultureInfo.InvariantCulture, $"http://{EndPointText.LoopbackHost}:{QueuePort}/{AccountName}"));

    /// <summary>A storage connection string for this instance (what <c>AzureWebJobsStorage</c> would hold).</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://{EndPointText.LoopbackHost}:{BlobPort}/{AccountName};" +
        $"QueueEndpoint={QueueEndpoint};" +
        $"TableEndpoint=http://{EndPointText.LoopbackHost}:{TablePort}/{AccountName};");

    /// <summary>Whether the process is alive.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>Starts Azurite and waits until its queue port accepts connections.</summary>
    /// <param name="cancellationToken">Cancels the start; a half-started instance is killed.</param>
    /// <returns>The running instance.</returns>
    /// <exception cref="AzuriteStartException">It was not found, exited, or did not listen within 30 s.</exception>
    public static async Task<AzuriteProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = AzuriteExecutable.Locate();
        AzuriteCleanup.ReapOrphansOnce();
        return await PortRetry.StartAsync(
            PortRetry.Attempts,
            () => new AzuriteProcess(executable),
            static (azurite, ct) => azurite.LaunchAsync(ct), // Azurite exits when a picked port was taken
            static azurite => azurite.Failure("it kept exiting (ports taken?)"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last lines Azurite printed, newest last.</summary>
    /// <returns>Up to 200 lines.</returns>
    public IReadOnlyList<string> GetRecentOutput() => _output.Snapshot();

    /// <summary>Kills the process tree and deletes the workspace.</summary>
    /// <returns>A completed task once the process is gone.</returns>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
        }

        Kill();
        AzuriteCleanup.Unregister(this);
        ServerDirectory.TryDelete(Location);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"azurite queue {QueueEndpoint}";

    /// <summary>Called while this process ends: must not throw.</summary>
    void IKilledOnShutdown.KillForShutdown() => KillForShutdown();

    internal void KillForShutdown()
    {
        Kill();
        ServerDirectory.TryDelete(Location);
    }

    internal IReadOnlyList<string> BuildArguments() =>
    [
        "--blobHost", EndPointText.LoopbackHost, "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture),
        "--queueHost", EndPointText.LoopbackHost, "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
        "--tableHost", EndPointText.LoopbackHost, "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
        // In memory; Azurite refuses --location together with it, and the temp working directory is its default location.
        "--inMemoryPersistence",
        "--silent",
        "--skipApiVersionCheck",
        "--loose",
        // Nothing leaves the machine: Azurite otherwise sends usage telemetry.
        "--disableTelemetry",
    ];

    private void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }

        if (process is null)
        {
            return;
        }

        try
        {
            // The launcher is node; the whole tree goes, so nothing keeps a port.
            process.Kill(entireProcessTree: true);
            process.WaitForExit(KillWait);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // Already exited.
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <returns><see langword="false"/> when the process exited before listening (typically a port race).</returns>
    private async Task<bool> LaunchAsync(CancellationToken cancellationToken)
    {
        var process = StartProcess();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (_output.Contains("EADDRINUSE"))
                {
                    return false;
                }

                throw Failure($"it exited with code {process.ExitCode}");
            }

            if (await AcceptsAsync(QueuePort, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (Stopwatch.GetElapsedTime(started) > StartTimeout)
            {
                throw Failure($"its queue port did not accept within {StartTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(ReadyPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private Process StartProcess()
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The reaper recognises an orphan by its working directory.
            WorkingDirectory = Location,
        };
        foreach (var argument in BuildArguments())
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += OnOutput;
        process.ErrorDataReceived += OnOutput;
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                process.Start();
                _process = process;
            }
        }
        catch (Exception ex) when (ex is Win32Exception)
        {
            process.Dispose();
            throw new AzuriteStartException($"Could not run '{ExecutablePath}' (is Node.js installed?): {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        ServerDirectory.RecordServerPid(Location, process.Id);
        return process;
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            _output.Add(e.Data);
        }
    }

    private AzuriteStartException Failure(string reason) =>
        new($"""
            Azurite failed to start: {reason}.
            Command: {ExecutablePath} {string.Join(' ', BuildArguments())}
            Last output:
            {string.Join(Environment.NewLine, _output.Snapshot())}
            """);
}
