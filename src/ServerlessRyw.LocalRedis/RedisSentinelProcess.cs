using System.Globalization;
using System.Text;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A real Redis Sentinel (<c>redis-server &lt;conf&gt; --sentinel</c>) on 127.0.0.1, with its generated, writable
/// <c>sentinel.conf</c> in a temp directory. Dispose it to kill it and delete the directory.
/// </summary>
public sealed class RedisSentinelProcess : IAsyncDisposable, IKilledOnShutdown
{
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _child;
    private readonly string _executablePath;
    private readonly string _configurationText;
    private readonly LaunchRules _launchRules;

    private RedisSentinelProcess(string executablePath, int port, string configurationText)
    {
        _executablePath = executablePath;
        _child = new ChildProcess(this, ServerDirectory.Prefix);
        _launchRules = new LaunchRules(StartTimeout, ReadyPollInterval, "Address already in use", "it did not answer", StartFailure);
        Port = port;
        ConfigurationPath = Path.Combine(DataDirectory, "sentinel.conf");
        _configurationText = configurationText;
        SentinelCleanup.Register(this);
    }

    /// <summary>The port the sentinel listens on.</summary>
    public int Port { get; }

    /// <summary>The sentinel's address as <c>127.0.0.1:port</c>.</summary>
    public string EndPoint => EndPointText.Loopback(Port);

    /// <summary>The temp directory holding <see cref="ConfigurationPath"/>; deleted on dispose.</summary>
    public string DataDirectory => _child.Directory;

    /// <summary>The sentinel's configuration file (Sentinel rewrites it as it learns the topology).</summary>
    public string ConfigurationPath { get; }

    /// <summary>Whether the sentinel process is alive.</summary>
    public bool IsRunning => _child.IsRunning;

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
    public IReadOnlyList<string> GetRecentOutput() => _child.Output.Snapshot();

    /// <summary>Kills the sentinel at once (SIGKILL). The port and configuration stay for <see cref="RestartAsync"/>.</summary>
    public void Kill() => _child.Kill();

    /// <summary>Kills the sentinel if running and starts it again on the same port with its rewritten configuration.</summary>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task that completes when it answers again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_child.IsDisposed, this);
        _child.Stop();
        if (!await LaunchAsync(cancellationToken, rewriteConfiguration: false).ConfigureAwait(false))
        {
            throw StartFailure($"port {Port} is held by another process");
        }
    }

    /// <summary>Kills the sentinel and deletes its directory.</summary>
    /// <returns>A completed task once it is gone.</returns>
    public ValueTask DisposeAsync()
    {
        if (_child.TryDispose())
        {
            SentinelCleanup.Unregister(this);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"redis-sentinel {EndPoint}";

    void IKilledOnShutdown.KillForShutdown() => KillForShutdown();

    internal void KillForShutdown() => _child.KillForShutdown();

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

        return await _child.LaunchAsync(
            _executablePath,
            [ConfigurationPath, "--sentinel"],
            _launchRules,
            (processId, ct) => RedisReadiness.AnswersAsAsync(EndPoint, processId, ct),
            cancellationToken).ConfigureAwait(false);
    }

    private RedisServerStartException StartFailure(string reason) =>
        new($"""
            redis-sentinel on port {Port} failed to start: {reason}.
            Configuration ({ConfigurationPath}):
            {_configurationText}
            Last output:
            {string.Join(Environment.NewLine, _child.Output.Snapshot())}
            """);
}
