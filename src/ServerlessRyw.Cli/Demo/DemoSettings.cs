namespace ServerlessRyw.Cli.Demo;

/// <summary>What <c>ryw demo</c> runs.</summary>
internal sealed record DemoSettings
{
    /// <summary>How far replica 0 trails the primary; over Sentinel, how long each replication pause lasts.</summary>
    public TimeSpan Lag { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Chains per phase (toolkit off, toolkit on); over Sentinel, half before the failover and half after it.</summary>
    public int Chains { get; init; } = 200;

    /// <summary>Chains in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>A <c>redis-server</c> binary to use instead of the one on PATH.</summary>
    public string? RedisServerPath { get; init; }

    /// <summary>Untimed chains per phase that warm up Kestrel, HttpClient and the JIT first.</summary>
    public int WarmUpChains { get; init; } = 40;

    /// <summary>Whether to run over Redis Sentinel (<c>--sentinel</c>).</summary>
    public bool Sentinel { get; init; }

    /// <summary>
    /// Existing sentinels and the service (<c>--sentinel host:port,…,serviceName=…</c>); <see langword="null"/> with
    /// <see cref="Sentinel"/> starts local sentinels, a primary and two replicas.
    /// </summary>
    public string? SentinelConfiguration { get; init; }

    /// <summary>Whether to force a <c>SENTINEL FAILOVER</c> half-way through each phase (always, with local sentinels).</summary>
    public bool Failover { get; init; }
}
