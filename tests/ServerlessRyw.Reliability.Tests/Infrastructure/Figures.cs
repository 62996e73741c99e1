using System.Globalization;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Infrastructure;

/// <summary>
/// Records the figures each test measured (cases, stale reads, slowest read, lost messages, bytes per invocation)
/// in <c>artifacts/reliability/figures.tsv</c> at the repository root and in the test output, for docs/failure-behaviour.md.
/// </summary>
public static class Figures
{
    private static readonly Lock Gate = new();
    private static readonly string FilePath = Path.Combine(FindRoot(), "artifacts", "reliability", "figures.tsv");

    static Figures()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, "utc\ttest\tfigure\tvalue" + Environment.NewLine);
    }

    public static void Record(ITestOutputHelper? output, string test, string figure, object value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        output?.WriteLine($"{figure}: {text}");
        lock (Gate)
        {
            File.AppendAllText(FilePath, $"{DateTime.UtcNow:O}\t{test}\t{figure}\t{text.Replace('\n', ' ').Replace('\t', ' ')}{Environment.NewLine}");
        }
    }

    public static void Workload(ITestOutputHelper? output, string test, WorkloadResult result)
    {
        Record(output, test, "workload", result.ToString());
        Record(output, test, "reads", result.Reads);
        Record(output, test, "stale_reads", result.StaleReads);
        Record(output, test, "max_read_ms", result.MaxRead.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessRyw.sln")))
            {
                return dir.FullName;
            }
        }

        return Path.GetTempPath();
    }
}

/// <summary>The bound every read must meet: the wait budget, one replica attempt that may hang, and a round trip with slack.</summary>
public static class ReadBudget
{
    /// <summary>Scheduling slack on this 2-core machine (the "round trip" part, generously).</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(300);

    public static TimeSpan For(RywOptions options) => options.WaitBudget + options.ReplicaTimeout + Slack;
}
