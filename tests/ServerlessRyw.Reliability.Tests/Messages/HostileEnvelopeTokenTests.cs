using System.Diagnostics;
using ServerlessRyw.Propagation;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.TestSupport;
using ServerlessRyw.Reliability.Tests.Tokens;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Messages;

/// <summary>
/// The 10,000 hostile cases as the token of queue message envelopes (text and JSON forms, alternating), consumed by
/// one shared client: unwrapping never throws and never loses the body, the read is fresh whenever the envelope was
/// recognised (a producer evidently wrote something), within budget, counted, and the session is not pinned.
/// </summary>
public sealed class HostileEnvelopeTokenTests(ITestOutputHelper output)
{
    private const int BatchSize = 250;
    private const int Concurrency = 32;
    private static RywOptions Options => RouteRecorder.Install(new RywOptions { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) });

    [Fact]
    public async Task UnwrapInto_10000HostileEnvelopeTokens_BodyKeptFreshInBudgetCountedAndNotPinned()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.FromMilliseconds(40));
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        using var consumer = new RywClient(primary, [replica], Options);
        using var writerProcess = new RywClient(primary, [replica], new RywOptions());
        using var envelopes = new EnvelopeCounter();
        var tally = new HostileTally();
        var statuses = new long[Enum.GetValues<RywEnvelopeStatus>().Length];
        var expectedRejections = new long[Enum.GetValues<RywTokenRejection>().Length];
        var clock = Stopwatch.StartNew();

        for (var start = 0; start < HostileHeaderTokenTests.CaseCount; start += BatchSize)
        {
            var (key, scene) = await HostileHeaderTokenTests.WriteAsync(writerProcess, $"hostile-envelope:{start}");
            var cases = Enumerable.Range(start, BatchSize).Select(i => HostileTokens.Create(i, scene)).ToArray();
            var sessions = new RywSession?[cases.Length];
            var oracles = new TokenOracle?[cases.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
            {
                var hostile = cases[i];
                var text = string.Join(",", hostile.Values);
                var json = hostile.Index % 2 == 0;
                var body = json ? $"{{\"order\":{hostile.Index}}}" : $"order {hostile.Index}";
                var message = json ? $"{{\"order\":{hostile.Index},\"ryw/1\":\"{text}\"}}" : $"ryw/1 {text}\n{body}";
                var watch = Stopwatch.StartNew();
                try
                {
                    var session = consumer.CreateSession();
                    var result = RywQueueEnvelope.UnwrapInto(session, message);
                    var value = await session.ReadAsync(db => db.StringGetAsync(key), CancellationToken.None);
                    var elapsed = watch.Elapsed;
                    Interlocked.Increment(ref statuses[(int)result.Status]);
                    CheckBody(hostile, text, body, message, result, tally);
                    var oracle = Expect(result, scene);
                    foreach (var reason in Enum.GetValues<RywTokenRejection>())
                    {
                        Interlocked.Add(ref expectedRejections[(int)reason], oracle.Expected(reason));
                    }

                    HostileHeaderTokenTests.CheckFirstRead(hostile, oracle, value, elapsed, tally);
                    sessions[i] = session;
                    oracles[i] = oracle;
                }
                catch (Exception exception)
                {
                    tally.Case(hostile, mustBeFresh: false, watch.Elapsed);
                    tally.Escape(hostile, exception);
                }
            });

            await lab.Servers.WaitForReplicasInSyncAsync();
            await Parallel.ForEachAsync(Enumerable.Range(0, cases.Length), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
            {
                if (sessions[i] is not { } session)
                {
                    return;
                }

                var routes = new RouteRecorder();
                var value = await routes.ReadAsync(session, key);
                if (!routes.WentToReplica)
                {
                    tally.Pin(cases[i], $"second read: {routes.Outcome}");
                }

                if (oracles[i]!.MustBeFresh && value != "fresh")
                {
                    tally.StaleRead(cases[i], $"second read returned {value}");
                }
            });
        }

        var stats = consumer.Statistics;
        tally.AddRejected(Enum.GetValues<RywTokenRejection>().Sum(r => stats[r]));
        var statusText = string.Join(", ", Enum.GetValues<RywEnvelopeStatus>().Select(s => $"{s}={statuses[(int)s]}"));
        var summary = $"{clock.Elapsed.TotalSeconds:0.0} s; envelopes: {statusText}; meter: {envelopes}{Environment.NewLine}{tally.Summary()}{Environment.NewLine}{stats}";
        output.WriteLine(summary);
        HostileHeaderTokenTests.Record(nameof(UnwrapInto_10000HostileEnvelopeTokens_BodyKeptFreshInBudgetCountedAndNotPinned), tally);
        Assert.Equal(HostileHeaderTokenTests.CaseCount, tally.Cases);
        Assert.True(tally.Failures == 0, summary);
        Assert.Equal(statuses[(int)RywEnvelopeStatus.Malformed], envelopes["malformed"]);
        Assert.Equal(statuses[(int)RywEnvelopeStatus.UnsupportedVersion], envelopes["unsupported_version"]);
        Assert.Equal(statuses[(int)RywEnvelopeStatus.InvalidToken], envelopes["invalid_token"]);
        foreach (var reason in new[] { RywTokenRejection.Malformed, RywTokenRejection.TooLong, RywTokenRejection.UnsupportedVersion, RywTokenRejection.TooManyPositions })
        {
            Assert.True(stats[reason] == expectedRejections[(int)reason], $"{reason}: counted {stats[reason]}, expected {expectedRejections[(int)reason]}");
        }

        await HostileHeaderTokenTests.AssertStaleWithoutToolkitAsync(lab, primary, replica);
    }

    /// <summary>What the session must make of what the envelope said (see <see cref="RywUnwrapResult.ImportInto"/>).</summary>
    private static TokenOracle Expect(RywUnwrapResult result, TokenScene scene) => result.Status switch
    {
        RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken => TokenOracle.For([result.TokenText!], scene, scene.Offset),
        RywEnvelopeStatus.UnsupportedVersion => TokenOracle.For(["9"], scene, scene.Offset),
        RywEnvelopeStatus.Malformed => TokenOracle.For(["?"], scene, scene.Offset),
        _ => TokenOracle.For([], scene, scene.Offset),
    };

    /// <summary>The consumer always gets a body: the original one when the envelope was read, else the message unchanged.</summary>
    private static void CheckBody(HostileCase hostile, string text, string body, string message, RywUnwrapResult result, HostileTally tally)
    {
        var tokenShaped = text.Length is > 0 and <= 4 * RywToken.MaxLength
            && text.All(c => c is >= '!' and <= '~' and not '"' and not '\\' and not ',' and not ';');
        switch (result.Status)
        {
            case RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken when tokenShaped:
                if (result.Body != body || result.TokenText != text)
                {
                    tally.Other(hostile, $"unwrapped body '{result.Body}' / token '{result.TokenText}'");
                }

                break;
            case RywEnvelopeStatus.InvalidToken when !text.Contains('\n', StringComparison.Ordinal):
                // Recognised as an envelope whose token cannot be used (huge, control characters): counted, and the
                // consumer still gets the original body.
                if (result.Body != body)
                {
                    tally.Other(hostile, $"invalid-token envelope gave body '{result.Body}'");
                }

                break;
            case RywEnvelopeStatus.Unwrapped or RywEnvelopeStatus.InvalidToken:
                // A hostile text with a line feed ends the text envelope's token early: what follows is the message's body.
                if (!text.Contains('\n', StringComparison.Ordinal))
                {
                    tally.Other(hostile, $"{result.Status} for a token that is not token-shaped");
                }

                break;
            default:
                if (tokenShaped && result.Status != RywEnvelopeStatus.UnsupportedVersion)
                {
                    tally.Other(hostile, $"a well-formed envelope was not recognised: {result.Status}");
                }

                if (result.Body != message)
                {
                    tally.Other(hostile, "the body of an unread envelope was changed");
                }

                break;
        }
    }
}

/// <summary>Reads through a session and records where the read went (per read, even with reads in parallel).</summary>
public sealed class RouteRecorder
{
    private static readonly AsyncLocal<RouteRecorder?> Current = new();

    public RywReadOutcome? Outcome { get; private set; }

    public bool WentToReplica => Outcome is RywReadOutcome.Replica or RywReadOutcome.ReplicaHit or RywReadOutcome.ProbedHit or RywReadOutcome.WaitedHit;

    /// <summary>Install on a client's options: each routed read reports to the recorder of the flow that made it.</summary>
    public static RywOptions Install(RywOptions options)
    {
        var previous = options.OnReadRouted;
        options.OnReadRouted = routed =>
        {
            previous?.Invoke(routed);
            if (Current.Value is { } recorder)
            {
                recorder.Outcome = routed.Outcome;
            }
        };
        return options;
    }

    public async Task<RedisValue> ReadAsync(RywSession session, RedisKey key)
    {
        Current.Value = this;
        try
        {
            return await session.ReadAsync(db => db.StringGetAsync(key));
        }
        finally
        {
            Current.Value = null;
        }
    }
}
