using System.Globalization;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// A real <c>redis-server</c> child process listening on 127.0.0.1, with no persistence, for tests and demos.
/// Dispose it to kill the process and delete its temp directory; servers not disposed are killed when this
/// process ends (see <see cref="LocalRedisCleanup"/>).
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable, IKilledOnShutdown
{
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan RestartRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess _child;
    private readonly string _executablePath;
    private readonly LaunchRules _launchRules;

    private RedisServerProcess(string executablePath, int port, RedisServerOptions options)
    {
        _executablePath = executablePath;
        _child = new ChildProcess(this, ServerDirectory.Prefix);
        _launchRules = new LaunchRules(options.StartTimeout, ReadyPollInterval, "Address already in use", "it did not answer", StartFailure);
        Port = port;
        Arguments = BuildArguments(port, DataDirectory, options.ExtraArguments);
        LocalRedisCleanup.Register(this);
    }

    /// <summary>The TCP port the server listens on (kept across <see cref="RestartAsync"/>).</summary>
    public int Port { get; }

    /// <summary>The server's address as <c>127.0.0.1:port</c>.</summary>
    public string EndPoint => EndPointText.Loopback(Port);

    /// <summary>The temp directory the server runs in (its <c>--dir</c>); deleted on dispose.</summary>
    public string DataDirectory => _child.Directory;

    /// <summary>The full <c>redis-server</c> command line, defaults first, then the extra arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Whether the server process is currently alive.</summary>
    public bool IsRunning => _child.IsRunning;

    /// <summary>Starts a server and waits until it answers on its port.</summary>
    /// <param name="options">How to run it; <see langword="null"/> uses the defaults (random free port, <c>redis-server</c> from PATH).</param>
    /// <param name="cancellationToken">Cancels the start; a half-started server is killed.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="RedisServerNotFoundException">No <c>redis-server</c> binary was found.</exception>
    /// <exception cref="RedisServerStartException">The server exited or did not answer within <see cref="RedisServerOptions.StartTimeout"/>.</exception>
    public static async Task<RedisServerProcess> StartAsync(RedisServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RedisServerOptions();
        string executablePath = RedisExecutable.Locate(options.ExecutablePath);
        OrphanedServerReaper.ReapOnce();

        return await PortRetry.StartAsync(
            options.Port is null ? PortRetry.Attempts : 1,
            () => new RedisServerProcess(executablePath, options.Port ?? FreePort.Pick(), options),
            static (server, ct) => server.LaunchAsync(ct),
            static server => server.StartFailure("its port was already in use"),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last lines the server printed (its log goes to stdout), newest last.</summary>
    /// <returns>A snapshot of up to 200 lines.</returns>
    public IReadOnlyList<string> GetRecentOutput() => _child.Output.Snapshot();

    /// <summary>
    /// Kills the server at once (SIGKILL, including any fork doing a replication transfer), as a crash would.
    /// Does nothing if it is not running. The port and directory stay reserved for <see cref="RestartAsync"/>.
    /// </summary>
    public void Kill() => _child.Kill();

    /// <summary>
    /// Kills the server if it is running and starts it again on the same port with the same arguments.
    /// Data is lost (no persistence); a replica started with <c>--replicaof</c> resyncs from its primary.
    /// </summary>
    /// <param name="cancellationToken">Cancels the restart; the server is left stopped.</param>
    /// <returns>A task that completes when the server answers again.</returns>
    /// <exception cref="RedisServerStartException">The server did not come back, e.g. another process took its port.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_child.IsDisposed, this);

        for (int attempt = 1; ; attempt++)
        {
            _child.Stop();
            try
            {
                if (await LaunchAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch
            {
                Kill();
                throw;
            }

            if (attempt == PortRetry.Attempts)
            {
                throw StartFailure($"port {Port} is held by another process");
            }

            await Task.Delay(RestartRetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the server and deletes its temp directory.</summary>
    /// <returns>A completed task once the process is gone.</returns>
    public ValueTask DisposeAsync()
    {
        if (_child.TryDispose())
        {
            LocalRedisCleanup.Unregister(this);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"redis-server {EndPoint}";

    /// <summary>Called by <see cref="LocalRedisCleanup"/> while the process is ending: must not throw.</summary>
    void IKilledOnShutdown.KillForShutdown() => KillForShutdown();

    internal void KillForShutdown() => _child.KillForShutdown();

    private static List<string> BuildArguments(int port, string directory, IReadOnlyList<string> extraArguments)
    {
        // Diskless sync with no delay: otherwise every replica waits ~5 s before its first full sync.
        List<string> arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", EndPointText.LoopbackHost,
            "--save", string.Empty,
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "no",
            "--repl-diskless-sync", "yes",
            "--repl-diskless-sync-delay", "0",
            "--dir", directory,
        ];
        arguments.AddRange(extraArguments ?? []);
        return arguments;
    }

    /// <summary>Launches the process and waits until it answers as itself.</summary>
    /// <returns><see langword="false"/> if it exited because its port was taken; it throws for any other failure.</returns>
    private Task<bool> LaunchAsync(CancellationToken cancellationToken) =>
        _child.LaunchAsync(
            _executablePath, Arguments, _launchRules, (processId, ct) => RedisReadiness.AnswersAsAsync(EndPoint, processId, ct), cancellationToken);

    private RedisServerStartException StartFailure(string reason) =>
        new($"""
            redis-server on port {Port} failed to start: {reason}.
            Command: {_executablePath} {string.Join(' ', Arguments.Select(a => a.Length == 0 ? "\"\"" : a))}
            Last output:
            {string.Join(Environment.NewLine, _child.Output.Snapshot())}
            """);
}
