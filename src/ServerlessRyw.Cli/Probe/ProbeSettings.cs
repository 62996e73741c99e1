namespace ServerlessRyw.Cli.Probe;

/// <summary>What <c>ryw probe</c> checks.</summary>
internal sealed record ProbeSettings
{
    /// <summary>The primary's StackExchange.Redis configuration string (e.g. <c>host:6379,password=…</c>).</summary>
    public required string Primary { get; init; }

    /// <summary>Sentinel endpoints and service name the primary and replicas were (or are to be) discovered from.</summary>
    public string? Sentinel { get; init; }

    /// <summary>What Sentinel reported, for the report; <see langword="null"/> without <see cref="Sentinel"/>.</summary>
    public string? Discovered { get; init; }

    /// <summary>One configuration string per replica.</summary>
    public IReadOnlyList<string> Replicas { get; init; } = [];

    /// <summary>How many lag samples to take.</summary>
    public int Samples { get; init; } = 20;

    /// <summary>Whether to write short-lived probe keys on the primary to time how fast writes show up on replicas.</summary>
    public bool MeasureVisibility { get; init; } = true;

    /// <summary>How long a probe write may take to show up on a replica before it counts as a timeout.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
