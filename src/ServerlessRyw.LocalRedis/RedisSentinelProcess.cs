using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A real Redis Sentinel (<c>redis-server &lt;conf&gt; --sentinel</c>) on 127.0.0.1, with its generated, writable
/// <c>sentinel.conf</c> in a temp directory. Dispose it to kill it and delete the directory.
/// </summary>
public sealed class RedisSentinelProcess : IAsyncDisposable, IKilledOnShutdown
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly BoundedLog _output = new(200);
    private readonly string _executablePath;
    private readonly string _configurationText;
    private Process? _process;
    private bool _disposed;

    private RedisSentinelProcess(string executablePath, int port, string configurationText)
    {
        _executablePath = executablePath;
        Port = port;
        DataDirectory = ServerDirectory.Create();
        ConfigurationPath = Path.Combine(DataDirectory, "sentinel.conf");
        _configurationText = configurationText;
        SentinelCleanup.Register(this);
    }

    /// <summary>The port the sentinel listens on.</summary>
    public int Port { get; }

    /// <summary>The sentinel's address as <c>127.0.0.1:port</c>.</summary>
    public string EndPoint => EndPointText.Loopback(Port);

    /// <summary>The temp directory holding <see cref="ConfigurationPath"/>; deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>The sentinel's configuration file (Sentinel rewrites it as it learns the topology).</summary>
    public string ConfigurationPath { get; }

    /// <summary>Whether the sentinel process is alive.</summary>
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

    /// <summary>Starts a sentinel monitoring <paramref name="primaryPort"/> on 127.0.0.1 as <paramref name="serviceName"/>.</summary>
    /// <param name="serviceName">The master name Sentinel monitors the primary as.</param>
    /// <param name="primaryPort">The primary's port.</param>
    /// <param name="options">Quorum and timings.</param>
    /// <param name="cancellationToken">Cancels the start; a half-started sentinel is killed.</param>
    /// <returns>The running sentinel.</returns>
    /// <exception cref="RedisServerStartException">It exited or did not answer in time.</exception>
    public static async Task<RedisSentinelProcess> StartAsync(
        string serviceName, int primaryPort, LocalSentinelSetOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentNullException.ThrowIfNull(options);
        string executablePath = RedisExecutable.Locate(options.Server.ExecutablePath);
        OrphanedServerReaper.ReapOnce();
        return await PortRetry.StartAsync(
            PortRetry.Attempts,
            () =>
            {
                int port = FreePort.Pick();
                return new RedisSentinelProcess(executablePath, port, BuildConfiguration(port, serviceName, primaryPort, options));
            },
            static (sentinel, ct) => sentinel.LaunchAsync(ct),
            static sentinel => sentinel.StartFailure("its port was already in use"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last lines the sentinel printed (its event log), newest last.</summary>
    /// <returns>Up to 200 lines.</returns>
    public IReadOnlyList<string> GetRecentOutput() => _output.Snapshot();

    /// <summary>Kills the sentinel at once (SIGKILL). The port and configuration stay for <see cref="RestartAsync"/>.</summary>
    public void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        try
        {
            process?.Kill(entireProcessTree: true);
            process?.WaitForExit(KillWait);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // It had already exited.
        }
    }

    /// <summary>Kills the sentinel if running and starts it again on the same port with its rewritten configuration.</summary>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task that completes when it answers again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Kill();
        DisposeProcess();
        if (!await LaunchAsync(cancellationToken, rewriteConfiguration: false).ConfigureAwait(false))
        {
            throw StartFailure($"port {Port} is held by another process");
        }
    }

    /// <summary>Kills the sentinel and deletes its directory.</summary>
    /// <returns>A completed task once it is gone.</returns>
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
        DisposeProcess();
        SentinelCleanup.Unregister(this);
        ServerDirectory.TryDelete(DataDirectory);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"redis-sentinel {EndPoint}";

    void IKilledOnShutdown.KillForShutdown() => KillForShutdown();

    internal void KillForShutdown()
    {
        Kill();
        ServerDirectory.TryDelete(DataDirectory);
    }

    internal static string BuildConfiguration(int port, string serviceName, int primaryPort, LocalSentinelSetOptions options)
    {
        string ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"port {port}")
            .AppendLine(CultureInfo.InvariantCulture, $"bind {EndPointText.LoopbackHost}")
            .AppendLine("daemonize no")
            .AppendLine("protected-mode no")
            // IPs only, and the loopback one announced, so every sentinel names every node the same way.
            .AppendLine("sentinel resolve-hostnames no")
            .AppendLine(CultureInfo.InvariantCulture, $"sentinel announce-ip {EndPointText.LoopbackHost}")
            .AppendLine(CultureInfo.InvariantCulture, $"sentinel monitor {serviceName} {EndPointText.LoopbackHost} {primaryPort} {options.Quorum}")
            .AppendLine(CultureInfo.InvariantCulture, $"sentinel down-after-milliseconds {serviceName} {ms(options.DownAfter)}")
            .AppendLine(CultureInfo.InvariantCulture, $"sentinel failover-timeout {serviceName} {ms(options.FailoverTimeout)}")
            .AppendLine(CultureInfo.InvariantCulture, $"sentinel parallel-syncs {serviceName} 1")
            .ToString();
    }

    private async Task<bool> LaunchAsync(CancellationToken cancellationToken, bool rewriteConfiguration = true)
    {
        if (rewriteConfiguration)
        {
            await File.WriteAllTextAsync(ConfigurationPath, _configurationText, cancellationToken).ConfigureAwait(false);
        }

        Process process = StartProcess();
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                return _output.Contains("Address already in use") ? false : throw StartFailure($"it exited with code {process.ExitCode}");
            }

            if (await AnswersAsAsync(process.Id, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (Stopwatch.GetElapsedTime(started) > StartTimeout)
            {
                throw StartFailure($"it did not answer within {StartTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(ReadyPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private Process StartProcess()
    {
        var startInfo = new ProcessStartInfo(_executablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // The orphan reaper recognises a process as ours by its working directory.
            WorkingDirectory = DataDirectory,
        };
        startInfo.ArgumentList.Add(ConfigurationPath);
        startInfo.ArgumentList.Add("--sentinel");
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += OnOutput;
        process.ErrorDataReceived += OnOutput;
        _output.Clear();
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                process.Start();
                _process = process;
            }
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        ServerDirectory.RecordServerPid(DataDirectory, process.Id);
        return process;
    }

    private async Task<bool> AnswersAsAsync(int processId, CancellationToken cancellationToken)
    {
        using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probeTimeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            string? info = await RespClient.ExecuteAsync(EndPoint, ["INFO", "server"], probeTimeout.Token).ConfigureAwait(false);
            return RedisInfo.Parse(info).GetValueOrDefault("process_id") == processId.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is SocketException or IOException or RespProtocolException or RedisErrorReplyException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
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

    private void DisposeProcess()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }

        process?.Dispose();
    }

    private RedisServerStartException StartFailure(string reason) =>
        new($"""
            redis-sentinel on port {Port} failed to start: {reason}.
            Configuration ({ConfigurationPath}):
            {_configurationText}
            Last output:
            {string.Join(Environment.NewLine, _output.Snapshot())}
            """);
}
