using System.CommandLine;

namespace ServerlessRyw.Cli.CommandLine;

/// <summary>The <c>ryw</c> command tree.</summary>
internal static class RywCommandLine
{
    public static RootCommand Create() => new("ryw: read-your-writes for chains of stateless invocations on Redis replicas. Start with `ryw demo`.")
    {
        new DemoCommand().Command,
        new BenchCommand().Command,
        new ProbeCommand().Command,
    };
}
