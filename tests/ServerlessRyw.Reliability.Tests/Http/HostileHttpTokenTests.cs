using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using ServerlessRyw.Propagation;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.Reliability.Tests.Tokens;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Http;

/// <summary>
/// The same 10,000 hostile cases as raw bytes in real HTTP requests to a Kestrel service with <c>UseReadYourWrites()</c>
/// and one shared client (as in production): every request answered 200 within budget with a fresh value whenever the
/// rules demand it, every rejection counted, the response token never echoes garbage, and a client that sends the
/// response token back once the replica caught up is served by the replica (no permanent pin).
/// </summary>
public sealed class HostileHttpTokenTests(ITestOutputHelper output)
{
    private const int BatchSize = 250;
    private const int Concurrency = 32;
    private static readonly RywOptions Options = CreateOptions();
    private static readonly TimeSpan Limit = ReadBudget.For(Options);

    [Fact]
    public async Task UseReadYourWrites_10000HostileHeaderRequests_Answered200FreshInBudgetCountedAndNotPinned()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.FromMilliseconds(40));
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        using var service = new RywClient(primary, [replica], Options);
        await using var http = await ReadService.StartAsync(service);
        using var writerProcess = new RywClient(primary, [replica], new RywOptions());
        var pool = new ConcurrentBag<RawHttpConnection>();
        var tally = new HostileTally();
        var expected = new long[Enum.GetValues<RywTokenRejection>().Length];
        var expectedLater = new long[expected.Length];
        var refusedByKestrel = 0;
        var clock = Stopwatch.StartNew();

        for (var start = 0; start < HostileHeaderTokenTests.CaseCount; start += BatchSize)
        {
            var (key, scene) = await HostileHeaderTokenTests.WriteAsync(writerProcess, $"hostile-http:{start}");
            var cases = Enumerable.Range(start, BatchSize).Select(i => HostileTokens.Create(i, scene)).ToArray();
            var responses = new RawHttpResponse?[cases.Length];
            var elapsed = new TimeSpan[cases.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    responses[i] = await SendAsync(pool, http.Port, $"/read/{key}", cases[i].Values.Select(WireBytes), ct);
                }
                catch (Exception exception)
                {
                    tally.Escape(cases[i], exception);
                }

                elapsed[i] = watch.Elapsed;
            });

            await lab.Servers.WaitForReplicasInSyncAsync();
            var primaryNow = (await FaultLab.PositionAsync(lab.Primary.EndPoint)).Offset;
            await Parallel.ForEachAsync(Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
            {
                var hostile = cases[i];
                if (responses[i] is not { } response)
                {
                    return;
                }

                var wire = hostile.Values.Select(v => Encoding.Latin1.GetString(WireBytes(v)).Trim(' ', '\t')).ToArray();
                if (response.Status == 400 && wire.Any(HasControlCharacters))
                {
                    Interlocked.Increment(ref refusedByKestrel); // refused by the server before any middleware ran
                    tally.Case(hostile, mustBeFresh: false, elapsed[i]);
                    return;
                }

                var parts = TokenOracle.Parts(wire).ToArray();
                var oracle = TokenOracle.For(parts, scene, scene.Offset);
                var later = TokenOracle.For(parts, scene, primaryNow);
                if (response.Status != 200)
                {
                    tally.Case(hostile, oracle.MustBeFresh, elapsed[i]);
                    tally.Other(hostile, $"HTTP {response.Status}: {response.Body}");
                    return;
                }

                foreach (var reason in Enum.GetValues<RywTokenRejection>())
                {
                    Interlocked.Add(ref expected[(int)reason], oracle.Expected(reason));
                    Interlocked.Add(ref expectedLater[(int)reason], later.Expected(reason));
                }

                HostileHeaderTokenTests.CheckFirstRead(hostile, oracle, response.Body.Length == 0 ? default : response.Body, elapsed[i], tally);
                var echoed = response.Header(RywHeaderNames.Token);
                if (echoed is not null && !RywToken.TryParse(echoed, out _))
                {
                    tally.Other(hostile, $"the response carries an invalid token: {echoed}");
                }

                // The caller sends back what it got, once the replica has caught up: a replica must serve it.
                var again = await SendAsync(pool, http.Port, $"/read/{key}", echoed is null ? [] : [Encoding.ASCII.GetBytes(echoed)], ct);
                if (again.Header(ReadService.OutcomeHeader) is not ("Replica" or "ReplicaHit" or "ProbedHit" or "WaitedHit"))
                {
                    tally.Pin(hostile, $"second request routed {again.Header(ReadService.OutcomeHeader)} with token {echoed}");
                }
            });
        }

        foreach (var connection in pool)
        {
            await connection.DisposeAsync();
        }

        var stats = service.Statistics;
        tally.AddRejected(Enum.GetValues<RywTokenRejection>().Sum(r => stats[r]));
        var expectedText = string.Join("/", Enum.GetValues<RywTokenRejection>().Select(r => $"{r}:{expected[(int)r]}..{expectedLater[(int)r]}"));
        var summary = $"{clock.Elapsed.TotalSeconds:0.0} s, refused by Kestrel: {refusedByKestrel}{Environment.NewLine}{tally.Summary()}{Environment.NewLine}{stats}{Environment.NewLine}expected rejections: {expectedText}";
        output.WriteLine(summary);
        HostileHeaderTokenTests.Record(nameof(UseReadYourWrites_10000HostileHeaderRequests_Answered200FreshInBudgetCountedAndNotPinned), tally);
        Assert.Equal(HostileHeaderTokenTests.CaseCount, tally.Cases);
        Assert.True(tally.Failures == 0, summary);
        foreach (var reason in Enum.GetValues<RywTokenRejection>())
        {
            var low = Math.Min(expected[(int)reason], expectedLater[(int)reason]);
            var high = Math.Max(expected[(int)reason], expectedLater[(int)reason]);
            Assert.True(stats[reason] >= low - stats.ProbeFailures && stats[reason] <= high, $"{reason}: counted {stats[reason]}, expected {low}..{high}. {summary}");
        }

        await HostileHeaderTokenTests.AssertStaleWithoutToolkitAsync(lab, primary, replica);
    }

    private static RywOptions CreateOptions()
    {
        var options = new RywOptions { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };
        ReadService.ReportRoutes(options);
        return options;
    }

    /// <summary>The value's bytes on the wire: UTF-8, without the bytes that would end the header line (CR, LF) or that no server accepts (NUL).</summary>
    private static byte[] WireBytes(string value) =>
        Encoding.UTF8.GetBytes(value.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Replace("\0", string.Empty, StringComparison.Ordinal));

    private static bool HasControlCharacters(string value) => value.Any(c => (c < ' ' && c != '\t') || c == '\u007f');

    private static async Task<RawHttpResponse> SendAsync(ConcurrentBag<RawHttpConnection> pool, int port, string path, IEnumerable<byte[]> tokens, CancellationToken cancellationToken)
    {
        var connection = pool.TryTake(out var pooled) ? pooled : await RawHttpConnection.OpenAsync(port);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var response = await connection.GetAsync(path, tokens.Select(t => (RywHeaderNames.Token, t)), timeout.Token);
        if (response.Status == 200)
        {
            pool.Add(connection); // Kestrel closes the connection after an error response
        }
        else
        {
            await connection.DisposeAsync();
        }

        return response;
    }
}
