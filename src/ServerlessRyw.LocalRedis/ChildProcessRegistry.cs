using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ServerlessRyw.LocalRedis;

/// <summary>A child process that must not outlive this one.</summary>
internal interface IKilledOnShutdown
{
    /// <summary>Kills the process at once; never throws.</summary>
    void KillForShutdown();
}

/// <summary>
/// The child processes of one kind (Redis servers, sentinels, Azurite) that this process started and has not
/// disposed, killed when this process ends: normal exit, Ctrl+C / Ctrl+Break, SIGTERM or SIGHUP. .NET does not raise
/// <see cref="AppDomain.ProcessExit"/> on an uncancelled Ctrl+C or SIGTERM, so those are hooked too.
/// </summary>
internal sealed class ChildProcessRegistry<TProcess>
    where TProcess : class, IKilledOnShutdown
{
    private readonly ConcurrentDictionary<TProcess, byte> _processes = new();
    private readonly Lock _hookGate = new();
    private readonly List<PosixSignalRegistration> _signalRegistrations = [];
    private bool _hooked;

    public int Count => _processes.Count;

    public void Register(TProcess process)
    {
        HookProcessEndOnce();
        _processes.TryAdd(process, 0);
    }

    public void Unregister(TProcess process) => _processes.TryRemove(process, out _);

    /// <summary>Kills every registered process. Never throws.</summary>
    /// <returns>How many were registered when called.</returns>
    public int KillAll()
    {
        var count = 0;
        foreach (var process in _processes.Keys)
        {
            count++;
            process.KillForShutdown();
        }

        return count;
    }

    private void HookProcessEndOnce()
    {
        lock (_hookGate)
        {
            if (_hooked)
            {
                return;
            }

            _hooked = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

            // Never sets Cancel: whether Ctrl+C ends the process stays the host's decision, and the children get
            // SIGINT from the terminal anyway when they share its process group.
            Console.CancelKeyPress += (_, _) => KillAll();
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            {
                try
                {
                    // Keeping the registration alive keeps the handler; not cancelling keeps the default termination.
                    _signalRegistrations.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
                }
                catch (PlatformNotSupportedException)
                {
                    // Windows has no SIGHUP; ProcessExit and CancelKeyPress still cover it.
                }
            }
        }
    }
}
