namespace ServerlessRyw.LocalRedis;

/// <summary>How <see cref="RedisServerProcess.StartAsync"/> runs a local <c>redis-server</c>.</summary>
public sealed class RedisServerOptions
{
    /// <summary>Path of the <c>redis-server</c> binary; <see langword="null"/> searches <c>PATH</c>.</summary>
    public string? ExecutablePath { get; init; }

    /// <summary>Port to listen on; <see langword="null"/> picks a free random port on 127.0.0.1.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// Extra command-line arguments appended after the defaults, e.g. <c>["--replicaof", "127.0.0.1", "6379"]</c>
    /// or <c>["--cluster-enabled", "yes"]</c>. Later arguments override earlier ones.
    /// </summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How long to wait for the server to answer after it is launched.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
