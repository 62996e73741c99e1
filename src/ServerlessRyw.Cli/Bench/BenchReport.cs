using System.Reflection;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>Everything one <c>ryw bench</c> run measured.</summary>
internal sealed record BenchReport
{
    public required BenchSettings Settings { get; init; }

    public required BenchEnvironment Environment { get; init; }

    public required IReadOnlyList<CellResult> Cells { get; init; }

    public required IReadOnlyList<OverheadResult> Overheads { get; init; }

    public required ThroughputResult? Throughput { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public IReadOnlyList<TargetResult> Targets => TargetEvaluator.Evaluate(this);

    public CellResult? Find(BenchMode mode, int lagMs, int sessions) =>
        Cells.FirstOrDefault(c => c.Mode == mode && c.LagMs == lagMs && c.Sessions == sessions);
}

/// <summary>Where the run happened, so numbers from different machines are not compared blindly.</summary>
internal sealed record BenchEnvironment(
    DateTimeOffset StartedAt,
    string Machine,
    int ProcessorCount,
    string Runtime,
    string RedisVersion,
    string StackExchangeRedisVersion,
    string BuildConfiguration)
{
    /// <summary>Timings from a Debug build are not representative (the CI smoke runs one; it asserts correctness only).</summary>
    public bool IsOptimized => string.Equals(BuildConfiguration, "Release", StringComparison.OrdinalIgnoreCase);

    /// <summary>This process's machine, runtime, client and build, with the server version the run read.</summary>
    public static BenchEnvironment Capture(DateTimeOffset startedAt, string redisVersion) => new(
        startedAt,
        System.Environment.MachineName,
        System.Environment.ProcessorCount,
        ".NET " + System.Environment.Version.ToString(),
        redisVersion,
        typeof(ConnectionMultiplexer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(ConnectionMultiplexer).Assembly.GetName().Version?.ToString() ?? "?",
        typeof(BenchEnvironment).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "?");
}
