namespace ServerlessRyw.Cli.Bench;

/// <summary>What <c>ryw bench</c> runs; <see cref="Default"/> and <see cref="Quick"/> are the two presets.</summary>
internal sealed record BenchSettings
{
    /// <summary>Replication lags to inject on the replica, in milliseconds.</summary>
    public IReadOnlyList<int> LagsMs { get; init; } = [0, 5, 50, 200];

    /// <summary>Concurrent sessions (chains) per cell.</summary>
    public IReadOnlyList<int> Sessions { get; init; } = [1, 16, 64];

    /// <summary>The routing modes compared in the matrix.</summary>
    public IReadOnlyList<BenchMode> Modes { get; init; } = BenchModes.All;

    /// <summary>How long each (lag, sessions, mode) cell starts new chains.</summary>
    public TimeSpan CellDuration { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Read hops (stateless invocations) after each write hop in a chain.</summary>
    public int ReadsPerWrite { get; init; } = 4;

    /// <summary>Interleaved toolkit/raw pairs per overhead measurement.</summary>
    public int OverheadSamples { get; init; } = 3000;

    /// <summary>Sessions in the throughput comparison.</summary>
    public int ThroughputSessions { get; init; } = 64;

    /// <summary>Alternating raw/toolkit throughput rounds (a multiple of 4 keeps the ABBA order balanced).</summary>
    public int ThroughputRounds { get; init; } = 16;

    /// <summary>Length of one throughput round.</summary>
    public TimeSpan ThroughputRoundDuration { get; init; } = TimeSpan.FromSeconds(0.4);

    /// <summary>Token mode's wait budget before it reads the primary.</summary>
    public TimeSpan WaitBudget { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The timeout passed to <c>WAIT 1</c> in wait-after-write mode.</summary>
    public TimeSpan WaitCommandTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where bench.md, bench.csv and bench.svg go.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("artifacts", "bench");

    /// <summary>A <c>redis-server</c> binary to use instead of the one on PATH.</summary>
    public string? RedisServerPath { get; init; }

    /// <summary>Run only the probe-cost measurement (what each probe variant costs the server) instead of the matrix.</summary>
    public bool ProbeCost { get; init; }

    /// <summary>Calls per probe variant and server in the probe-cost measurement.</summary>
    public int ProbeCalls { get; init; } = 20_000;

    /// <summary>Whether this is the CI smoke preset.</summary>
    public bool IsQuick { get; init; }

    public static BenchSettings Default { get; } = new();

    /// <summary>The CI smoke preset: under 30 s, still a lagged cell where stale reads must show up without the toolkit.</summary>
    public static BenchSettings Quick { get; } = new()
    {
        IsQuick = true,
        LagsMs = [0, 50],
        Sessions = [1, 16],
        CellDuration = TimeSpan.FromSeconds(0.3),
        OverheadSamples = 300,
        ProbeCalls = 2_000,
        ThroughputSessions = 64,
        ThroughputRounds = 8,
        ThroughputRoundDuration = TimeSpan.FromSeconds(0.15),
    };

    /// <summary>Problems with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (LagsMs.Count == 0 || LagsMs.Any(l => l is < 0 or > 10_000))
        {
            errors.Add("--lags needs at least one lag between 0 and 10000 ms.");
        }

        if (Sessions.Count == 0 || Sessions.Any(s => s is < 1 or > 1024))
        {
            errors.Add("--sessions needs at least one count between 1 and 1024.");
        }

        if (Modes.Count == 0)
        {
            errors.Add("--modes needs at least one mode.");
        }

        if (CellDuration <= TimeSpan.Zero || CellDuration > TimeSpan.FromMinutes(10))
        {
            errors.Add("--cell-seconds must be above 0 and at most 600.");
        }

        if (ReadsPerWrite is < 1 or > 1000)
        {
            errors.Add("--reads-per-write must be between 1 and 1000.");
        }

        if (OverheadSamples is < 10 or > 1_000_000)
        {
            errors.Add("--samples must be between 10 and 1000000.");
        }

        if (ProbeCalls is < 100 or > 1_000_000)
        {
            errors.Add("--probe-calls must be between 100 and 1000000.");
        }

        if (WaitBudget < TimeSpan.Zero || WaitBudget > RywOptions.MaxWaitBudget)
        {
            errors.Add($"--wait-budget-ms must be between 0 and {RywOptions.MaxWaitBudget.TotalMilliseconds}.");
        }

        if (WaitCommandTimeout <= TimeSpan.Zero || WaitCommandTimeout > TimeSpan.FromSeconds(30))
        {
            errors.Add("--wait-timeout-ms must be between 1 and 30000.");
        }

        return errors;
    }
}
