using System.ComponentModel;
using System.Diagnostics;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// The part every child process of this harness shares (Redis servers, sentinels, Azurite): one OS process at a
/// time, its output, the owner-stamped temp directory it runs in, and killing it (the whole tree), waiting for it and
/// removing the directory. The owning class keeps what differs: its command line, its readiness check, its registry.
/// </summary>
internal sealed class ChildProcess
{
    private const int OutputLinesKept = 200;
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly object _owner;
    private Process? _process;
    private bool _disposed;

    /// <param name="owner">The public object this process belongs to (named by <see cref="ObjectDisposedException"/>).</param>
    /// <param name="directoryPrefix">The temp directory's name prefix, which the orphan reaper looks for.</param>
    public ChildProcess(object owner, string directoryPrefix)
    {
        _owner = owner;
        Directory = ServerDirectory.Create(directoryPrefix);
    }

    /// <summary>The temp directory the process runs in (its working directory); deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The last lines the process printed (stdout and stderr), cleared on each start.</summary>
    public BoundedLog Output { get; } = new(OutputLinesKept);

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

    /// <summary>Whether <see cref="TryDispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>
    /// Starts the process in <see cref="Directory"/> (the reaper recognises an orphan by its working directory),
    /// captures its output and records its pid there.
    /// </summary>
    /// <param name="executablePath">What to run.</param>
    /// <param name="arguments">Its command line.</param>
    /// <returns>The started process.</returns>
    /// <exception cref="ObjectDisposedException">The owner was disposed.</exception>
    /// <exception cref="Win32Exception">The executable could not be run.</exception>
    public Process Start(string executablePath, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += OnOutput;
        process.ErrorDataReceived += OnOutput;
        Output.Clear();
        try
        {
            lock (_gate)
            {
                // Checked under the lock so a concurrent dispose either sees this process or prevents it.
                ObjectDisposedException.ThrowIf(_disposed, _owner);
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
        ServerDirectory.RecordServerPid(Directory, process.Id);
        return process;
    }

    /// <summary>
    /// Starts the process and polls <paramref name="isReady"/> until it says yes, the process exits or the timeout passes.
    /// </summary>
    /// <param name="executablePath">What to run.</param>
    /// <param name="arguments">Its command line.</param>
    /// <param name="rules">How to tell ready, a lost port race and a failure apart.</param>
    /// <param name="isReady">Whether the process (its pid given) serves yet.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="false"/> if it exited because its port was taken; it throws for any other failure.</returns>
    public async Task<bool> LaunchAsync(
        string executablePath, IEnumerable<string> arguments, LaunchRules rules, Func<int, CancellationToken, Task<bool>> isReady, CancellationToken cancellationToken)
    {
        Process process = Start(executablePath, arguments);
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (process.HasExited)
            {
                // Also drains the output readers, so the log holds the reason.
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (Output.Contains(rules.PortTakenText))
                {
                    return false;
                }

                throw rules.Failure($"it exited with code {process.ExitCode}");
            }

            if (await isReady(process.Id, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (Stopwatch.GetElapsedTime(started) > rules.StartTimeout)
            {
                throw rules.Failure($"{rules.NotReadyText} within {rules.StartTimeout.TotalSeconds:0.#} s");
            }

            await Task.Delay(rules.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kills the process tree at once (SIGKILL, forks included) and waits for it; the process object, port and
    /// directory stay for a restart. Does nothing when it is not running; never throws.
    /// </summary>
    public void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(KillWait);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            // It had already exited.
        }
    }

    /// <summary>Kills the process and releases it, ready for the next <see cref="Start"/>.</summary>
    public void Stop()
    {
        Kill();
        Process? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }

        process?.Dispose();
    }

    /// <summary>Kills the process, releases it and deletes the directory; later starts throw.</summary>
    /// <returns><see langword="false"/> when it was disposed already (nothing done).</returns>
    public bool TryDispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
        }

        Stop();
        ServerDirectory.TryDelete(Directory);
        return true;
    }

    /// <summary>While this process ends: kills the child and deletes the directory. Never throws.</summary>
    public void KillForShutdown()
    {
        Kill();
        ServerDirectory.TryDelete(Directory);
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            Output.Add(e.Data);
        }
    }
}

/// <summary>How <see cref="ChildProcess.LaunchAsync"/> judges a start.</summary>
/// <param name="StartTimeout">How long it may take to become ready.</param>
/// <param name="PollInterval">The pause between readiness checks.</param>
/// <param name="PortTakenText">What the process prints when its port was taken (a lost race, retried on new ports).</param>
/// <param name="NotReadyText">The failure's reason when time runs out, before " within N s".</param>
/// <param name="Failure">The owner's start error for a reason.</param>
internal sealed record LaunchRules(
    TimeSpan StartTimeout, TimeSpan PollInterval, string PortTakenText, string NotReadyText, Func<string, Exception> Failure);
