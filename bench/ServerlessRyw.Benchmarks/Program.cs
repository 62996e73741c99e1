using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ServerlessRyw.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs in-process: the benchmarks need this repository's build properties (RywRedisVersion selects StackExchange.Redis), which
    /// BenchmarkDotNet's generated child project would not inherit. Pass BenchmarkDotNet arguments through, e.g.
    /// <c>--filter *Token*</c>.
    /// </summary>
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
