using System.Runtime.CompilerServices;

namespace ServerlessRyw.Testing;

/// <summary>Compiled into every test project (see Directory.Build.props).</summary>
internal static class ThreadPoolWarmUp
{
    /// <summary>
    /// The test host blocks thread-pool threads while it starts; with 2 cores (minimum 2 workers) that stalls every
    /// continuation for 0.6–1 s until the pool injects a thread, which timing assertions would misread as
    /// replication lag. More minimum workers remove the stall.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseMinimumWorkers()
    {
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completionPorts);
    }
}
