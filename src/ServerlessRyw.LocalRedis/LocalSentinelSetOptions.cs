namespace ServerlessRyw.LocalRedis;

/// <summary>How <see cref="LocalSentinelSet.StartAsync(int, LocalSentinelSetOptions?, CancellationToken)"/> builds a Sentinel-monitored set.</summary>
public sealed class LocalSentinelSetOptions
{
    /// <summary>The master name the sentinels monitor the primary as.</summary>
    public string ServiceName { get; init; } = LocalSentinelSet.DefaultServiceName;

    /// <summary>How many sentinels to start.</summary>
    public int Sentinels { get; init; } = 3;

    /// <summary>How many sentinels must agree that the primary is down before a failover.</summary>
    public int Quorum { get; init; } = 2;

    /// <summary>How long the primary must not answer before a sentinel flags it down (<c>down-after-milliseconds</c>).</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sentinel's <c>failover-timeout</c>; a second failover of the same master waits twice this long.</summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether to shorten Sentinel's internal periods with <c>SENTINEL DEBUG</c> (Redis 7+): INFO every 1 s instead
    /// of 10 s (so replicas added at runtime are seen in about a second) and hellos every 0.5 s instead of 2 s
    /// (so sentinels find each other quickly), and a later, shorter TILT on a busy machine.
    /// </summary>
    public bool FastTimers { get; init; } = true;

    /// <summary>Settings for every redis-server (executable, extra arguments, start timeout); <see cref="RedisServerOptions.Port"/> must be null.</summary>
    public RedisServerOptions Server { get; init; } = new();

    /// <summary>How long to wait for the sentinels to agree on a change (start, failover, a replica added or removed).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
