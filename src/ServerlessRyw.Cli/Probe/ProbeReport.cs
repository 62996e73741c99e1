using System.Text;
using ServerlessRyw.Cli.Statistics;
using static ServerlessRyw.Cli.Reporting.Format;

namespace ServerlessRyw.Cli.Probe;

/// <summary>Renders <c>ryw probe</c>'s findings and advice as plain text.</summary>
internal static class ProbeReport
{
    public static string Render(ProbeFindings findings, Recommendation recommendation, ProbeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(recommendation);
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder();
        text.AppendLine(Invariant($"ryw probe: primary {findings.Primary.EndPoint}, {findings.Replicas.Count} replica(s)"));
        if (settings.Discovered is { } discovered)
        {
            text.AppendLine(discovered);
        }

        text.AppendLine()
            .AppendLine("Can the toolkit read replication offsets? (a read-only script that runs INFO replication; no admin mode, no ROLE needed)");
        foreach (var server in findings.Replicas.Prepend(findings.Primary))
        {
            AppendServer(text, server);
        }

        if (findings.Lags.Count > 0)
        {
            text.AppendLine()
                .AppendLine(Invariant($"Replica lag ({settings.Samples} samples, {ProbeRunnerSpacing()})"));
            foreach (var lag in findings.Lags)
            {
                AppendLag(text, lag, findings.MeasuredVisibility);
            }
        }

        text.AppendLine()
            .AppendLine(recommendation.Mode is { } mode
                ? Invariant($"Recommendation: {ModeName(mode)} mode (RywOptions.Mode = RywMode.{mode}), {recommendation.Setting}")
                : "Recommendation: " + recommendation.Setting);
        foreach (var reason in recommendation.Reasons)
        {
            text.AppendLine("  - " + reason);
        }

        if (findings.MeasuredVisibility)
        {
            text.AppendLine()
                .AppendLine(Invariant($"Probe keys: wrote {settings.Samples + 1} key(s) per replica named ryw:probe:<run>:<replica>:<n> on the primary with a {ProbeRunner.ProbeKeyExpiry.TotalSeconds:0} s expiry, and deleted them. Use --no-write to skip."));
        }

        return text.ToString();
    }

    private static string ProbeRunnerSpacing() => "one every ~20 ms";

    private static string ModeName(RywMode mode) => mode switch
    {
        RywMode.Token => "token",
        RywMode.Window => "window",
        RywMode.PrimaryOnly => "primary-only",
        _ => mode.ToString(),
    };

    private static void AppendServer(StringBuilder text, ServerFindings server)
    {
        var kind = server.IsPrimaryArgument ? "primary" : "replica";
        var offsets = server.Status is { } s
            ? Invariant($"yes  role {(s.IsPrimary ? "master" : "replica")}, history {s.ReplicationId}, offset {s.Offset}")
            : "NO   " + server.ProbeError;
        var role = server.RoleCommand.Allowed
            ? Invariant($"allowed ({server.RoleCommand.Role}, offset {server.RoleCommand.Offset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})")
            : "refused (" + server.RoleCommand.Error + ")";
        text.AppendLine(Invariant($"  {kind,-8} {server.EndPoint,-22} {offsets}"))
            .AppendLine(Invariant($"  {string.Empty,-8} {string.Empty,-22} ROLE command: {role}"));
        if (!server.IsPrimaryArgument && server.Status is { IsPrimary: true })
        {
            text.AppendLine(Invariant($"  {string.Empty,-8} {string.Empty,-22} warning: this server is a primary, not a replica"));
        }
    }

    private static void AppendLag(StringBuilder text, ReplicaLag lag, bool measuredVisibility)
    {
        var bytes = lag.BytesBehind.Count == 0
            ? "bytes behind: unknown (offsets unreadable)"
            : Invariant($"bytes behind p50 {Median(lag.BytesBehind.Select(b => (double)b))}, max {lag.BytesBehind.Max()}");
        text.AppendLine(Invariant($"  replica  {lag.EndPoint,-22} {bytes}"));
        if (measuredVisibility)
        {
            var visible = lag.VisibleAfterMs.Count == 0
                ? "a write never became visible"
                : Invariant($"a write is visible after p50 {Ms(Median(lag.VisibleAfterMs))} ms, max {Ms(lag.VisibleAfterMs.Max())} ms");
            var timeouts = lag.Timeouts > 0 ? Invariant($", {lag.Timeouts} not within the timeout") : string.Empty;
            text.AppendLine(Invariant($"  {string.Empty,-8} {string.Empty,-22} {visible}{timeouts} (GET round trip {Ms(lag.RoundTripMs)} ms: the resolution)"));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return Percentiles.NearestRank(sorted, 50);
    }
}
