using System.ComponentModel;
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
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ChildProcess _child;
    private readonly LaunchRules _launchRules;

    private AzuriteProcess(string executablePath)
    {
        ExecutablePath = executablePath;
        BlobPort = FreePort.Pick();
        QueuePort = FreePort.Pick();
        TablePort = FreePort.Pick();
        _child = new ChildProcess(this, DirectoryPrefix);
        _launchRules = new LaunchRules(StartTimeout, ReadyPollInterval, "EADDRINUSE", "its queue port did not accept", Failure);
        AzuriteCleanup.Register(this);
    }

    /// <summary>The launcher that was started.</summary>
    public string ExecutablePath { get; }

    /// <summary>The blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>The table service port.</summary>
    public int TablePort { get; }

    /// <summary>Azurite's working directory (its default location; data stays in memory); deleted on dispose.</summary>
    public string Location => _child.Directory;

    /// <summary>The queue service endpoint, <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri QueueEndpoint => new(string.Create(CultureInfo.InvariantCulture, $"http://{EndPointText.LoopbackHost}:{QueuePort}/{AccountName}"));

    /// <summary>A storage connection string for this instance (what <c>AzureWebJobsStorage</c> would hold).</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://{EndPointText.LoopbackHost}:{BlobPort}/{AccountName};" +
        $"QueueEndpoint={QueueEndpoint};" +
        $"TableEndpoint=http://{EndPointText.LoopbackHost}:{TablePort}/{AccountName};");

    /// <summary>Whether the process is alive.</summary>
    public bool IsRunning => _child.IsRunning;

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
    public IReadOnlyList<string> GetRecentOutput() => _child.Output.Snapshot();

    /// <summary>Kills the process tree and deletes the workspace.</summary>
    /// <returns>A completed task once the process is gone.</returns>
    public ValueTask DisposeAsync()
    {
        // The launcher is node; the whole tree goes, so nothing keeps a port.
        if (_child.TryDispose())
        {
            AzuriteCleanup.Unregister(this);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"azurite queue {QueueEndpoint}";

    /// <summary>Called while this process ends: must not throw.</summary>
    void IKilledOnShutdown.KillForShutdown() => KillForShutdown();

    internal void KillForShutdown() => _child.KillForShutdown();

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

    /// <returns><see langword="false"/> when the process exited before listening (typically a port race).</returns>
    private async Task<bool> LaunchAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _child.LaunchAsync(
                ExecutablePath, BuildArguments(), _launchRules, (_, ct) => AcceptsAsync(QueuePort, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception ex)
        {
            throw new AzuriteStartException($"Could not run '{ExecutablePath}' (is Node.js installed?): {ex.Message}", ex);
        }
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

    private AzuriteStartException Failure(string reason) =>
        new($"""
            Azurite failed to start: {reason}.
            Command: {ExecutablePath} {string.Join(' ', BuildArguments())}
            Last output:
            {string.Join(Environment.NewLine, _child.Output.Snapshot())}
            """);
}
