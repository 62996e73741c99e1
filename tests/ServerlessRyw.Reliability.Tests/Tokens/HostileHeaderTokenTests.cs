using System.Diagnostics;
using ServerlessRyw.Propagation;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Tokens;

/// <summary>
/// 10,000 generated hostile values of the <c>Ryw-Token</c> header, each through the propagator into a fresh session of its
/// own process (its own client over the shared connections, so every counter can be checked exactly), read while the
/// replica lags: no exception, no read beyond budget, fresh whenever the rules demand it, counted as documented, and no
/// permanent primary pin (once the replica has caught up the same session reads it).
/// </summary>
public sealed class HostileHeaderTokenTests(ITestOutputHelper output)
{
    public const int CaseCount = 10_000;
    private const int BatchSize = 250;
    private const int Concurrency = 32;
    private static readonly TimeSpan Lag = TimeSpan.FromMilliseconds(40);
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };
    private static readonly TimeSpan Limit = ReadBudget.For(Options);

    [Fact]
    public async Task ExtractInto_10000HostileHeaderValues_NoCrashNoWaitBeyondBudgetFreshCountedAndNotPinned()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: Lag);
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        using var writerProcess = new RywClient(primary, [replica], Options);
        var tally = new HostileTally();
        var clock = Stopwatch.StartNew();

        for (var start = 0; start < CaseCount; start += BatchSize)
        {
            var (key, scene) = await WriteAsync(writerProcess, $"hostile-header:{start}");
            var cases = Enumerable.Range(start, BatchSize).Select(i => HostileTokens.Create(i, scene)).ToArray();
            var runs = new CaseRun[cases.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
                runs[i] = await FirstReadAsync(new RywClient(primary, [replica], Options), cases[i], key, tally));

            // The replica catches up; every session reads again and must now be served by it.
            await lab.Servers.WaitForReplicasInSyncAsync();
            var primaryNow = (await FaultLab.PositionAsync(lab.Primary.EndPoint)).Offset;
            await Parallel.ForEachAsync(Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
                await SecondReadAndCheckAsync(runs[i], cases[i], key, scene, primaryNow, tally));
        }

        var summary = tally.Summary();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s{Environment.NewLine}{summary}");
        Record(nameof(ExtractInto_10000HostileHeaderValues_NoCrashNoWaitBeyondBudgetFreshCountedAndNotPinned), tally);
        Assert.Equal(CaseCount, tally.Cases);
        Assert.True(tally.MustBeFresh > CaseCount / 3, summary);
        Assert.True(tally.Failures == 0, summary);
        Assert.True(tally.MaxWait < Limit, summary);
        await AssertStaleWithoutToolkitAsync(lab, primary, replica);
    }

    internal static async Task<(RedisKey Key, TokenScene Scene)> WriteAsync(RywClient writerProcess, string prefix)
    {
        RedisKey key = $"{prefix}:{Guid.NewGuid():N}";
        var writer = writerProcess.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        var honest = await writer.ExportAsync();
        var position = writer.Token.Positions[0];
        return (key, new TokenScene(position.ReplicationId, position.Offset, honest, DateTimeOffset.UtcNow));
    }

    /// <summary>Checks a first read's value and time against the oracle (shared by the carriers' hostile tests).</summary>
    internal static void CheckFirstRead(HostileCase hostile, TokenOracle oracle, RedisValue value, TimeSpan elapsed, HostileTally tally)
    {
        tally.Case(hostile, oracle.MustBeFresh, elapsed);
        if (elapsed > Limit)
        {
            tally.SlowRead(hostile, elapsed);
        }

        if (oracle.MustBeFresh && value != "fresh")
        {
            tally.StaleRead(hostile, $"read {(value.IsNull ? "nil" : value.ToString())}");
        }
    }

    internal static void Record(string test, HostileTally tally)
    {
        Figures.Record(null, test, "cases", tally.Cases);
        Figures.Record(null, test, "must_be_fresh", tally.MustBeFresh);
        Figures.Record(null, test, "stale_reads", tally.Stale);
        Figures.Record(null, test, "max_wait_ms", tally.MaxWait.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
        Figures.Record(null, test, "rejections_counted", tally.Rejected);
        Figures.Record(null, test, "escaped_exceptions", tally.Escaped);
        Figures.Record(null, test, "pinned_sessions", tally.Pinned);
        Figures.Record(null, test, "summary", tally.Summary().Split(Environment.NewLine)[0]);
    }

    /// <summary>Right after a write, reading the lagging replica without the toolkit returns nothing: the cases above were at risk.</summary>
    internal static async Task AssertStaleWithoutToolkitAsync(FaultLab lab, IConnectionMultiplexer primary, IConnectionMultiplexer replica)
    {
        using var writerProcess = new RywClient(primary, [replica]);
        using var unsafeClient = new RywClient(primary, [replica], new RywOptions { Mode = RywMode.ReplicaUnsafe });
        var stale = 0;
        for (var i = 0; i < 10; i++)
        {
            var (key, scene) = await WriteAsync(writerProcess, "hostile-control");
            if ((await unsafeClient.CreateSession(scene.HonestToken).ReadAsync(db => db.StringGetAsync(key))).IsNull)
            {
                stale++;
            }
        }

        await lab.Servers.WaitForReplicasInSyncAsync();
        Assert.True(stale > 0, "without the toolkit the lagging replica should answer stale");
    }

    private static async Task<CaseRun> FirstReadAsync(RywClient process, HostileCase hostile, RedisKey key, HostileTally tally)
    {
        var clock = Stopwatch.StartNew();
        RywSession? session = null;
        RedisValue value = default;
        Exception? escaped = null;
        try
        {
            session = process.CreateSession();
            var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase) { [RywHeaderNames.Token] = [.. hostile.Values] };
            RywPropagator.Default.ExtractInto(session, headers, static (h, name) => h.TryGetValue(name, out var v) ? v : null);
            value = await session.ReadAsync(db => db.StringGetAsync(key));
        }
        catch (Exception exception)
        {
            escaped = exception;
            tally.Escape(hostile, exception);
        }

        return new CaseRun(process, session, value, clock.Elapsed, escaped);
    }

    private static async Task SecondReadAndCheckAsync(CaseRun run, HostileCase hostile, RedisKey key, TokenScene scene, long primaryNow, HostileTally tally)
    {
        using var process = run.Process;
        if (run.Escaped is not null || run.Session is null)
        {
            tally.Case(hostile, mustBeFresh: false, run.Elapsed);
            return;
        }

        var parts = TokenOracle.Parts(hostile.Values).ToArray();
        var oracle = TokenOracle.For(parts, scene, scene.Offset);
        var oracleLater = TokenOracle.For(parts, scene, primaryNow);
        CheckFirstRead(hostile, oracle, run.Value, run.Elapsed, tally);
        var afterFirst = process.Statistics;

        RedisValue second;
        try
        {
            second = await run.Session.ReadAsync(db => db.StringGetAsync(key));
        }
        catch (Exception exception)
        {
            tally.Escape(hostile, exception);
            return;
        }

        var secondStats = process.Statistics.Since(afterFirst);
        if (secondStats.ReplicaReads != 1)
        {
            tally.Pin(hostile, $"second read: {secondStats}");
        }

        if (oracle.MustBeFresh && second != "fresh")
        {
            tally.StaleRead(hostile, $"second read returned {second}");
        }

        var stats = process.Statistics;
        var counted = Enum.GetValues<RywTokenRejection>().Sum(r => stats[r]);
        tally.AddRejected(counted);
        foreach (var reason in Enum.GetValues<RywTokenRejection>())
        {
            var expected = oracle.Expected(reason);
            var expectedLater = oracleLater.Expected(reason);
            var probeMayHaveFailed = stats.ProbeFailures > 0 && reason is RywTokenRejection.ForeignHistory or RywTokenRejection.BeyondPrimary;
            if (stats[reason] != expected && stats[reason] != expectedLater && !(probeMayHaveFailed && stats[reason] <= expected))
            {
                tally.Miscount(hostile, $"{reason}: counted {stats[reason]}, expected {expected} | {stats}");
            }
        }
    }

    private sealed record CaseRun(RywClient Process, RywSession? Session, RedisValue Value, TimeSpan Elapsed, Exception? Escaped);
}
