using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// The verdict of a probe-cost run, from its figures and live checks only: which probe is cheapest among those the
/// order-proof design can use, whether that beats today's by more than the run's own noise, and what the unit
/// costs against a plain read (the figure that says why "probe + read" cannot cost what a read costs).
/// </summary>
internal static class ProbeCostConclusion
{
    public const string Prefix = "**Conclusion:** ";

    public static string Describe(ProbeCostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var probes = report.Costs.Where(c => !c.Variant.IsBaseline && !c.Variant.IsUnit).ToList();
        var current = probes.SingleOrDefault(c => c.Variant.IsCurrent);
        var baseline = report.Costs.SingleOrDefault(c => c.Variant.IsBaseline);
        var unit = report.Costs.SingleOrDefault(c => c.Variant.IsUnit && c.Variant.IsCurrent);
        var best = probes.Where(c => c.Check.IsDropIn).MinBy(c => c.Replica.MicrosecondsPerCall);
        if (current is null || baseline is null || unit is null)
        {
            return Prefix + "the run lacks the script form, the GET baseline or the order-proof unit; nothing to compare.";
        }

        if (best is null)
        {
            return Prefix + "no variant gives replid + offset inside MULTI on this replica without admin mode, a write pause hold or a script reload.";
        }

        var text = Prefix + Invariant(
            $"the cheapest probe that gives replid + offset, runs inside MULTI on a replica, needs no admin mode (on StackExchange.Redis {report.Environment.StackExchangeRedisVersion}), is not held by a write pause and survives SCRIPT FLUSH is {best.Variant.Name}: {Us(best.Replica)} µs on the replica");
        text += best == current
            ? " (the script form)"
            : Invariant($" vs {Us(current.Replica)} µs for the script form ({current.Variant.SentAs}): {Saving(current, best)}");
        if (best != current && report.Costs.SingleOrDefault(c => c.Variant.IsUnit && c.Variant.Name == ProbeVariants.UnitName(best.Variant)) is { } bestUnit)
        {
            text += Invariant($"; as the order-proof unit {Us(bestUnit.Replica)} vs {Us(unit.Replica)} µs ({Saving(unit, bestUnit)})");
        }

        var cheaperWithReload = probes
            .Where(c => c.Check.IsDropInWithScriptReload && !c.Check.IsDropIn && c.Replica.MicrosecondsPerCall < best.Replica.MicrosecondsPerCall)
            .MinBy(c => c.Replica.MicrosecondsPerCall);
        if (cheaperWithReload is not null)
        {
            text += Invariant($"; {cheaperWithReload.Variant.Name} ({Us(cheaperWithReload.Replica)} µs, {Saving(best, cheaperWithReload)}) would also need SCRIPT LOAD + retry on NOSCRIPT");
        }

        var cheaperWithAdmin = probes
            .Where(c => c.Check.GivesToken && c.Check.NeedsAdminMode && c.Replica.MicrosecondsPerCall < best.Replica.MicrosecondsPerCall)
            .MinBy(c => c.Replica.MicrosecondsPerCall);
        if (cheaperWithAdmin is not null)
        {
            text += Invariant($"; {cheaperWithAdmin.Variant.Name} ({Us(cheaperWithAdmin.Replica)} µs, {Saving(best, cheaperWithAdmin)}) needs admin mode on the application's connection");
        }

        if (!double.IsNaN(current.Replica.InfoMicrosecondsPerCall))
        {
            // Where the current probe's time goes: what no INFO-based probe can shed, and what the Lua call adds.
            text += Invariant($"; inside the script form INFO replication itself takes {Number(current.Replica.InfoMicrosecondsPerCall, "0.00")} of its {Us(current.Replica)} µs, the script call the rest");
        }

        return text + Invariant(
            $". The script form's order-proof unit ({unit.Variant.SentAs}) costs the replica {Us(unit.Replica)} µs against {Us(baseline.Replica)} µs for a GET alone ({Number(unit.Replica.MicrosecondsPerCall / baseline.Replica.MicrosecondsPerCall, "0.0")}×).");
    }

    /// <summary>How much <paramref name="cheaper"/> saves over <paramref name="reference"/>, and whether the rounds' spread swallows it.</summary>
    private static string Saving(VariantCost reference, VariantCost cheaper)
    {
        var saving = reference.Replica.MicrosecondsPerCall - cheaper.Replica.MicrosecondsPerCall;
        var noise = Math.Max(reference.Replica.Spread, cheaper.Replica.Spread);
        var share = Number(saving / reference.Replica.MicrosecondsPerCall * 100, "0");
        return saving <= noise
            ? Invariant($"{Number(saving, "0.00")} µs less, within the {Number(noise, "0.00")} µs spread between rounds, so no measurable saving")
            : Invariant($"{Number(saving, "0.00")} µs ({share}%) less, beyond the {Number(noise, "0.00")} µs spread between rounds");
    }

    private static string Us(ServerCost cost) => Number(cost.MicrosecondsPerCall, "0.00");
}
