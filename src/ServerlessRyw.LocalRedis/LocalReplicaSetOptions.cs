namespace ServerlessRyw.LocalRedis;

/// <summary>How <see cref="LocalReplicaSet.StartAsync(LocalReplicaSetOptions, CancellationToken)"/> builds a replica set.</summary>
public sealed class LocalReplicaSetOptions
{
    /// <summary>How many replicas to start (zero is allowed: a lone primary).</summary>
    public int Replicas { get; init; } = 2;

    /// <summary>
    /// When set, replica 0 replicates through a <see cref="DelayingTcpProxy"/> with this delay (zero allowed, to add lag
    /// later with <see cref="LocalReplicaSet.SetLag"/>); when <see langword="null"/>, every replica connects directly.
    /// </summary>
    public TimeSpan? LaggedReplicaDelay { get; init; }

    /// <summary>
    /// Settings shared by every server (executable, extra arguments, start timeout). Its <see cref="RedisServerOptions.Port"/>
    /// must be <see langword="null"/>: each server gets its own free port.
    /// </summary>
    public RedisServerOptions Server { get; init; } = new();

    /// <summary>How long to wait for the replicas to attach and catch up; <see langword="null"/> uses <see cref="LocalReplicaSet.DefaultSyncTimeout"/> plus 20 × the lag.</summary>
    public TimeSpan? SyncTimeout { get; init; }
}
