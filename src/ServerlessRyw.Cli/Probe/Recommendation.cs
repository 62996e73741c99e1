using ServerlessRyw.Cli.Reporting;

namespace ServerlessRyw.Cli.Probe;

/// <summary>What <c>ryw probe</c> advises, and why.</summary>
/// <param name="Mode">The routing mode to configure, or <see langword="null"/> when there is nothing to route.</param>
/// <param name="Setting">The option to set with it, e.g. <c>WaitBudget = 20 ms</c>.</param>
/// <param name="Reasons">One line per finding that led here.</param>
internal sealed record Recommendation(RywMode? Mode, string Setting, IReadOnlyList<string> Reasons)
{
    /// <summary>The smallest wait budget advised: below it, timer resolution makes waiting pointless.</summary>
    public static readonly TimeSpan MinBudget = TimeSpan.FromMilliseconds(10);

    /// <summary>The largest wait budget advised: a read should not wait longer than this for a replica.</summary>
    public static readonly TimeSpan MaxBudget = TimeSpan.FromSeconds(1);

    /// <summary>Rails' default window; never advise less.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(2);

    public static Recommendation For(ProbeFindings findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var reasons = new List<string>();
        if (findings.Replicas.Count == 0)
        {
            reasons.Add("no --replica given: there is nothing to route reads to, so every read goes to the primary anyway.");
            return new Recommendation(null, "add replicas (--replica host:port) to check them", reasons);
        }

        var worstLagMs = WorstVisibleLag(findings);
        var unreadable = findings.Replicas.Where(r => !r.OffsetsReadable).Select(r => r.EndPoint).ToList();
        if (!findings.Primary.OffsetsReadable)
        {
            unreadable.Insert(0, findings.Primary.EndPoint + " (primary)");
        }

        if (unreadable.Count > 0)
        {
            reasons.Add("replication offsets cannot be read on " + string.Join(", ", unreadable) + ": token mode needs them on the primary and every replica.");
            return Window(reasons, worstLagMs);
        }

        var history = findings.Primary.Status!;
        var foreign = findings.Replicas
            .Where(r => r.Status!.ReplicationId != history.ReplicationId && r.Status.PreviousReplicationId != history.ReplicationId)
            .Select(r => r.EndPoint)
            .ToList();
        if (foreign.Count > 0)
        {
            reasons.Add("replicas " + string.Join(", ", foreign) + " follow another replication history than the primary: check that they replicate from it.");
            reasons.Add("token mode would send every read to the primary for them; until fixed, window mode is the safe choice.");
            return Window(reasons, worstLagMs);
        }

        reasons.Add("replication offsets are readable on the primary and every replica, with one shared history: token mode works here.");
        if (worstLagMs is not double lag)
        {
            reasons.Add("lag in milliseconds was not measured (--no-write): the default budget is a starting point; measure with ryw bench or watch ryw.read.wait.");
            return new Recommendation(RywMode.Token, Format.Invariant($"WaitBudget = {RywDefaults.WaitBudget.TotalMilliseconds:0} ms (the default)"), reasons);
        }

        var budget = NiceCeiling(TimeSpan.FromMilliseconds(2 * lag), MinBudget, MaxBudget);
        reasons.Add(Format.Invariant($"the worst observed lag was {Format.Ms(lag)} ms; a budget of about twice that lets a read right after a write wait for a replica instead of loading the primary."));
        if (lag > MaxBudget.TotalMilliseconds)
        {
            reasons.Add(Format.Invariant($"replicas lag more than {MaxBudget.TotalSeconds:0} s: reads right after writes will mostly fall back to the primary; look at replication health first."));
        }

        return new Recommendation(RywMode.Token, Format.Invariant($"WaitBudget = {budget.TotalMilliseconds:0} ms"), reasons);
    }

    /// <summary>Rounds up to 1, 2 or 5 times a power of ten milliseconds, within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static TimeSpan NiceCeiling(TimeSpan value, TimeSpan min, TimeSpan max)
    {
        var ms = Math.Max(value.TotalMilliseconds, min.TotalMilliseconds);
        var power = Math.Pow(10, Math.Floor(Math.Log10(ms)));
        foreach (var step in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (step * power >= ms - 1e-9)
            {
                return TimeSpan.FromMilliseconds(Math.Min(step * power, max.TotalMilliseconds));
            }
        }

        return max;
    }

    private static double? WorstVisibleLag(ProbeFindings findings)
    {
        if (!findings.MeasuredVisibility)
        {
            return null;
        }

        var samples = findings.Lags.SelectMany(l => l.VisibleAfterMs).ToList();
        return samples.Count == 0 ? null : samples.Max();
    }

    private static Recommendation Window(List<string> reasons, double? worstLagMs)
    {
        var window = worstLagMs is double lag
            ? NiceCeiling(TimeSpan.FromMilliseconds(4 * lag), MinWindow, TimeSpan.FromHours(1))
            : MinWindow;
        reasons.Add(worstLagMs is double worst
            ? Format.Invariant($"window mode reads the primary for a while after each write; the worst observed lag was {Format.Ms(worst)} ms, so {window.TotalSeconds:0.#} s leaves a wide margin.")
            : "window mode reads the primary for a while after each write; 2 s (the Rails default) is the usual choice when lag was not measured.");
        return new Recommendation(RywMode.Window, Format.Invariant($"Window = {window.TotalSeconds:0.#} s"), reasons);
    }
}

/// <summary>The engine's defaults, read from a fresh <see cref="RywOptions"/> so advice never drifts from them.</summary>
internal static class RywDefaults
{
    public static TimeSpan WaitBudget { get; } = new RywOptions().WaitBudget;
}
