using System.Text;
using ServerlessRyw.Cli.Bench;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Reporting;

/// <summary>Machine-readable results: bench.csv (one row per matrix cell) and bench-overhead.csv.</summary>
internal static class CsvReport
{
    public const string CellHeader =
        "lag_ms,sessions,mode,elapsed_s,writes,reads,stale_reads,replica_share,oracle_share,read_p50_ms,read_p99_ms,read_max_ms," +
        "write_p50_ms,write_p99_ms,write_max_ms,hop_p99_ms,hops_per_s,replica,replica_hit,probed_hit,waited_hit,primary,primary_fallback,wait_timeouts";

    public const string OverheadHeader =
        "operation,baseline,expected_outcome,samples,unit,toolkit_p50,toolkit_p99,raw_p50,raw_p99,p50_ratio,p99_ratio,unexpected_outcomes";

    public static string RenderCells(IEnumerable<CellResult> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var text = new StringBuilder().Append(CellHeader).Append('\n');
        foreach (var c in cells)
        {
            var o = c.Outcomes;
            text.AppendJoin(',',
                c.LagMs, c.Sessions, Escape(c.Mode.Name()), Number(c.Elapsed.TotalSeconds, "0.000"), c.Writes, c.Reads, c.StaleReads,
                Number(c.ReplicaShare, "0.0000"), Number(c.OracleShare, "0.0000"),
                Number(c.ReadLatency.P50, "0.0000"), Number(c.ReadLatency.P99, "0.0000"), Number(c.ReadLatency.Max, "0.0000"),
                Number(c.WriteLatency.P50, "0.0000"), Number(c.WriteLatency.P99, "0.0000"), Number(c.WriteLatency.Max, "0.0000"),
                Number(c.HopLatency.P99, "0.0000"), Number(c.HopsPerSecond, "0.0"), o.Replica, o.ReplicaHit, o.ProbedHit, o.WaitedHit, o.Primary, o.PrimaryFallback, c.WaitTimeouts)
                .Append('\n');
        }

        return text.ToString();
    }

    public static string RenderOverheads(IEnumerable<OverheadResult> overheads, ThroughputResult? throughput)
    {
        ArgumentNullException.ThrowIfNull(overheads);
        var text = new StringBuilder().Append(OverheadHeader).Append('\n');
        foreach (var o in overheads)
        {
            text.AppendJoin(',',
                Escape(o.Operation), Escape(o.Baseline), Escape(o.ExpectedOutcome), o.Toolkit.Count, "us",
                Number(o.Toolkit.P50 * 1000, "0.00"), Number(o.Toolkit.P99 * 1000, "0.00"),
                Number(o.Raw.P50 * 1000, "0.00"), Number(o.Raw.P99 * 1000, "0.00"),
                Number(o.MedianRatio, "0.0000"), Number(o.P99Ratio, "0.0000"), o.UnexpectedOutcomes)
                .Append('\n');
        }

        if (throughput is { } t)
        {
            // Throughput has no percentiles: reads per second go in the p50 columns, the p99 columns stay empty.
            text.AppendJoin(',',
                Escape(Invariant($"fast-path reads, {t.Sessions} sessions")), Escape("raw replica GET"), "ReplicaHit", t.Rounds, "reads/s",
                Number(t.ToolkitPerSecond, "0.0"), string.Empty, Number(t.RawPerSecond, "0.0"), string.Empty,
                Number(t.Ratio, "0.0000"), string.Empty, t.UnexpectedOutcomes)
                .Append('\n');
        }

        return text.ToString();
    }

    /// <summary>RFC 4180 quoting: only when the field holds a comma, a quote or a line break.</summary>
    public static string Escape(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
