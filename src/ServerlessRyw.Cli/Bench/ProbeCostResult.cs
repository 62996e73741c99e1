namespace ServerlessRyw.Cli.Bench;

/// <summary>What one round of one variant on one server cost it.</summary>
/// <param name="Calls">Calls sent (and counted by the server for every command the client sends).</param>
/// <param name="Microseconds">Commandstats time of the commands the client sent, summed (scaled to <paramref name="Calls"/> if other clients sent a few too).</param>
/// <param name="InfoCalls">Nested <c>INFO</c> calls the server counted (scripts and transactions that run it); 0 if none.</param>
/// <param name="InfoMicroseconds">Their commandstats time.</param>
/// <param name="CpuSeconds">The server process's CPU time over the round.</param>
internal readonly record struct RoundSample(long Calls, double Microseconds, long InfoCalls, long InfoMicroseconds, double CpuSeconds);

/// <summary>One variant's cost on one server, over every round.</summary>
internal sealed record ServerCost(IReadOnlyList<RoundSample> Rounds)
{
    /// <summary>Server time per call: the table's main figure.</summary>
    public double MicrosecondsPerCall => Rounds.Sum(r => r.Microseconds) / Rounds.Sum(r => r.Calls);

    /// <summary>Each round's figure: how far apart they are is the noise a difference has to beat.</summary>
    public IReadOnlyList<double> RoundMicrosecondsPerCall => [.. Rounds.Select(r => r.Microseconds / r.Calls)];

    /// <summary>Largest minus smallest round figure.</summary>
    public double Spread => RoundMicrosecondsPerCall.Max() - RoundMicrosecondsPerCall.Min();

    /// <summary>The nested <c>INFO replication</c>'s time per call; NaN when the variant runs none inside.</summary>
    public double InfoMicrosecondsPerCall => Rounds.Sum(r => r.InfoCalls) is > 0 and var calls
        ? (double)Rounds.Sum(r => r.InfoMicroseconds) / calls
        : double.NaN;

    /// <summary>Server CPU per call, message handling included.</summary>
    public double CpuMicrosecondsPerCall => Rounds.Sum(r => r.CpuSeconds) * 1e6 / Rounds.Sum(r => r.Calls);
}

/// <summary>One variant: what the live checks found, and what it cost the replica and the primary.</summary>
internal sealed record VariantCost(ProbeVariant Variant, ProbeCheck Check, ServerCost Replica, ServerCost Primary);

/// <summary>Everything one <c>ryw bench --probe-cost</c> run measured.</summary>
internal sealed record ProbeCostReport
{
    public required BenchEnvironment Environment { get; init; }

    /// <summary>Calls per variant and server, over all rounds.</summary>
    public required int Calls { get; init; }

    public required int Rounds { get; init; }

    /// <summary>In table order: the baseline first, the order-proof units last.</summary>
    public required IReadOnlyList<VariantCost> Costs { get; init; }

    /// <summary>What the replica answered to <c>redis.call('ROLE')</c>.</summary>
    public required string RoleFromLua { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>The one-line verdict, computed from the figures above.</summary>
    public string Conclusion => ProbeCostConclusion.Describe(this);
}
