namespace ServerlessRyw.Cli.Demo;

/// <summary>What <c>ryw demo</c> runs.</summary>
internal sealed record DemoSettings
{
    /// <summary>How far replica 0 trails the primary.</summary>
    public TimeSpan Lag { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Chains per phase (toolkit off, toolkit on).</summary>
    public int Chains { get; init; } = 200;

    /// <summary>Chains in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>A <c>redis-server</c> binary to use instead of the one on PATH.</summary>
    public string? RedisServerPath { get; init; }

    /// <summary>Untimed chains per phase that warm up Kestrel, HttpClient and the JIT first.</summary>
    public int WarmUpChains { get; init; } = 40;
}
