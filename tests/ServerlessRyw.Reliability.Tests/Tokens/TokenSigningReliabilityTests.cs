using System.Diagnostics;
using System.Text;
using ServerlessRyw.Propagation;
using ServerlessRyw.Reliability.Tests.Http;
using ServerlessRyw.Reliability.Tests.Faults;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using ServerlessRyw.Reliability.Tests.Messages;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Tokens;

/// <summary>
/// Signed tokens across a trust boundary (HMAC, two keys during a rotation, signatures required): honest chains keep
/// working with nothing rejected, every forged, tampered or unsigned token is rejected and counted, and a rejected token
/// still reads fresh, in budget, without pinning — through the session, the HTTP header and the queue envelope.
/// </summary>
public sealed class TokenSigningReliabilityTests(ITestOutputHelper output)
{
    private static readonly byte[] OldKey = Encoding.ASCII.GetBytes("the-old-signing-key-32-bytes-...");
    private static readonly byte[] NewKey = Encoding.ASCII.GetBytes("the-new-signing-key-32-bytes-...");
    private static readonly byte[] UnknownKey = Encoding.ASCII.GetBytes("an-attackers-guess-at-the-key-..");

    [Fact]
    public async Task Workload_SignedChainsDuringKeyRotation_NoStaleReadAndNothingRejected()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.FromMilliseconds(30));
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);

        // Instances not yet rotated sign with the old key; rotated ones sign with the new key and accept both.
        using var notRotated = new RywClient(primary, [replica], Signed(OldKey));
        using var rotated = new RywClient(primary, [replica], Signed(NewKey, OldKey));
        var workload = new ChainWorkload("signed", lanes: 6);
        var first = await workload.RunAsync(notRotated, ReadBudget.For(Signed(OldKey)), hopsPerLane: 15);
        var second = await workload.RunAsync(rotated, ReadBudget.For(Signed(NewKey, OldKey)), hopsPerLane: 15);

        Figures.Workload(output, nameof(Workload_SignedChainsDuringKeyRotation_NoStaleReadAndNothingRejected), second);
        ReplicaFaultTests.AssertHealthy(first);
        ReplicaFaultTests.AssertHealthy(second);
        Assert.Equal(0, first.Statistics[RywTokenRejection.BadSignature] + second.Statistics[RywTokenRejection.BadSignature]);
        Assert.All(workload.CarriedTokens, t => Assert.Equal(RywSignatureStatus.Valid, new RywTokenSigner([NewKey]).Verify(RywToken.Parse(t))));
    }

    [Fact]
    public async Task Import_SigningRequired_EveryTamperedForgedOrUnsignedTokenRejectedYetReadsFreshInBudget()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.FromMilliseconds(40));
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        var options = RouteRecorder.Install(Signed(NewKey, OldKey));
        using var client = new RywClient(primary, [replica], options);
        using var writerProcess = new RywClient(primary, [replica], Signed(NewKey));
        var limit = ReadBudget.For(options);
        var (key, scene) = await HostileHeaderTokenTests.WriteAsync(writerProcess, "signed");
        var signed = scene.HonestToken;
        var forgedPayload = $"1.{scene.ReplicationId}:{scene.Offset + 1_000_000_000}";
        var attempts = new List<string>
        {
            scene.HonestToken[..scene.HonestToken.LastIndexOf(".s", StringComparison.Ordinal)], // signature stripped
            forgedPayload,
            new RywTokenSigner([UnknownKey]).Sign(RywToken.Parse(forgedPayload)).ToString(),
            new RywTokenSigner([UnknownKey]).Sign(RywToken.Parse(signed)).ToString(),
        };

        // Every single-character change of the signed token: tampered payload or signature.
        const string alphabet = "0123456789abcdefABCXYZw.:-_s";
        for (var at = 0; at < signed.Length; at++)
        {
            foreach (var c in alphabet.Where(c => c != signed[at]).Take(4))
            {
                attempts.Add(string.Concat(signed.AsSpan(0, at), c.ToString(), signed.AsSpan(at + 1)));
            }

            attempts.Add(signed.Remove(at, 1));
        }

        // And every hostile generated value.
        attempts.AddRange(Enumerable.Range(0, 2_000).SelectMany(i => HostileTokens.Create(i, scene).Values).Where(v => !string.IsNullOrWhiteSpace(v) && v.Trim() != signed));

        var slow = 0;
        var stale = 0;
        var accepted = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var maxWaitTicks = 0L;
        foreach (var batch in attempts.Chunk(100))
        {
            // A new write right before each batch, while the replica lags: a rejected token must still read it.
            var (batchKey, _) = await HostileHeaderTokenTests.WriteAsync(writerProcess, "signed-batch");
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (attempt, ct) =>
            {
                var session = client.CreateSession();
                var clock = Stopwatch.StartNew();
                var status = session.Import(attempt);
                var value = await session.ReadAsync(db => db.StringGetAsync(batchKey), ct);
                var elapsed = clock.Elapsed;
                InterlockedMax(ref maxWaitTicks, elapsed.Ticks);
                Interlocked.Add(ref slow, elapsed > limit ? 1 : 0);
                if (status is RywTokenStatus.Valid or RywTokenStatus.Empty)
                {
                    accepted.Enqueue($"{attempt} -> {status}");
                }
                else if (value != "fresh")
                {
                    Interlocked.Increment(ref stale); // a rejected token must make the read wait for the primary's position
                }
            });
        }

        var maxWait = TimeSpan.FromTicks(maxWaitTicks);
        var rejectedBefore = Enum.GetValues<RywTokenRejection>().Sum(r => client.Statistics[r]);

        // The honest signed token is accepted; a session that rejected a token is not pinned once the replica caught up.
        Assert.Equal(RywTokenStatus.Valid, client.CreateSession().Import(signed));
        await lab.Servers.WaitForReplicasInSyncAsync();
        var rejectedSession = client.CreateSession(forgedPayload);
        await rejectedSession.ReadAsync(db => db.StringGetAsync(key));
        var routes = new RouteRecorder();
        await routes.ReadAsync(rejectedSession, key);

        var summary = $"attempts={attempts.Count} accepted={accepted.Count} stale={stale} slow={slow} maxWait={maxWait.TotalMilliseconds:0.0}ms | {client.Statistics}";
        output.WriteLine(summary);
        Figures.Record(null, nameof(Import_SigningRequired_EveryTamperedForgedOrUnsignedTokenRejectedYetReadsFreshInBudget), "summary", summary);
        Assert.True(accepted.IsEmpty, summary + Environment.NewLine + string.Join(Environment.NewLine, accepted.Take(20)));
        Assert.Equal(0, stale);
        Assert.Equal(0, slow);
        Assert.Equal(attempts.Count, rejectedBefore); // each attempt rejected exactly once
        Assert.True(client.Statistics[RywTokenRejection.BadSignature] > attempts.Count / 3, summary);
        Assert.True(routes.WentToReplica, $"second read went to {routes.Outcome}");
    }

    /// <summary>
    /// A browser keeps the response's token and sends it back: with signatures required, what the service stamped on
    /// the response must be signed, or the service rejects its own tokens on the next request.
    /// </summary>
    [Fact]
    public async Task UseReadYourWrites_SigningRequired_ResponseTokenIsSignedAndAcceptedOnTheNextRequest()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.Zero);
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        var options = Signed(NewKey, OldKey);
        ReadService.ReportRoutes(options);
        using var client = new RywClient(primary, [replica], options);
        await using var service = await ReadService.StartAsync(client);
        using var writerProcess = new RywClient(primary, [replica], Signed(NewKey));
        var (key, scene) = await HostileHeaderTokenTests.WriteAsync(writerProcess, "signed-http");
        await using var connection = await RawHttpConnection.OpenAsync(service.Port);

        var first = await connection.GetAsync($"/read/{key}", [(RywHeaderNames.Token, Encoding.ASCII.GetBytes(scene.HonestToken))], CancellationToken.None);
        var returned = first.Header(RywHeaderNames.Token);
        var second = await connection.GetAsync($"/read/{key}", [(RywHeaderNames.Token, Encoding.ASCII.GetBytes(returned ?? string.Empty))], CancellationToken.None);
        output.WriteLine($"response token: {returned} | {client.Statistics}");

        Assert.Equal("fresh", first.Body);
        Assert.Equal("fresh", second.Body);
        Assert.NotNull(returned);
        Assert.Equal(RywSignatureStatus.Valid, new RywTokenSigner([NewKey]).Verify(RywToken.Parse(returned)));
        Assert.Equal(0, client.Statistics[RywTokenRejection.BadSignature]);
    }

    /// <summary>With signatures required, a token in a queue message is as untrusted as one in a header.</summary>
    [Fact]
    public async Task UnwrapInto_SigningRequired_TamperedOrUnsignedEnvelopeTokenRejected()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 1, lag: TimeSpan.FromMilliseconds(40));
        var primary = lab.Connect(lab.Primary.EndPoint);
        var replica = lab.Connect(lab.LaggedReplica.EndPoint);
        using var consumer = new RywClient(primary, [replica], Signed(NewKey, OldKey));
        var (key, scene) = await HostileHeaderTokenTests.WriteAsync(new RywClient(primary, [replica], Signed(NewKey)), "signed-queue");
        var forged = RywToken.Parse($"1.{scene.ReplicationId}:{scene.Offset + 1_000_000_000}");

        var statuses = new List<RywTokenStatus>();
        foreach (var message in new[] { RywQueueEnvelope.Stamp("""{"id":1}""", forged), RywQueueEnvelope.Stamp("plain", forged) })
        {
            var session = consumer.CreateSession();
            statuses.Add(RywQueueEnvelope.UnwrapInto(session, message).ImportInto(consumer.CreateSession()));
            Assert.Equal("fresh", await session.ReadAsync(db => db.StringGetAsync(key)));
        }

        output.WriteLine($"{string.Join(", ", statuses)} | {consumer.Statistics}");
        Assert.All(statuses, s => Assert.Equal(RywTokenStatus.BadSignature, s));
        Assert.True(consumer.Statistics[RywTokenRejection.BadSignature] >= 2, consumer.Statistics.ToString());
    }

    private static void InterlockedMax(ref long max, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref max)) && Interlocked.CompareExchange(ref max, value, current) != current)
        {
        }
    }

    private static RywOptions Signed(params byte[][] keys)
    {
        var options = new RywOptions { RequireSignedTokens = true, WaitBudget = TimeSpan.FromMilliseconds(100) };
        foreach (var key in keys)
        {
            options.SigningKeys.Add(key);
        }

        return options;
    }
}
