using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Statistics;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// The read-your-writes tax per operation: each toolkit operation alternates with its raw StackExchange.Redis
/// counterpart in the same loop (and they swap order every pair), so machine noise hits both alike. Runs at lag 0
/// with one session; every toolkit operation includes what a stateless invocation pays: creating the session
/// from the incoming token text, and exporting the token after a write.
/// </summary>
internal sealed class OverheadBench(BenchCluster cluster, RywClient tokenClient, int samples, string keyPrefix)
{
    private readonly IDatabase _primary = cluster.Primary.GetDatabase();
    private readonly IDatabase _replica = cluster.Replica.GetDatabase();
    private readonly int _warmup = Math.Max(50, samples / 10);

    /// <summary>A replica already known to cover the token: no probe, one GET.</summary>
    public async Task<OverheadResult> MeasureFastPathReadAsync(CancellationToken cancellationToken)
    {
        RedisKey key = keyPrefix + ":fast";
        var token = await WriteVisibleAsync(key, "fast", cancellationToken).ConfigureAwait(false);
        Func<IDatabaseAsync, Task<RedisValue>> read = db => db.StringGetAsync(key);

        // One read records the replica's offset, which then covers the token for every later read.
        _ = await tokenClient.CreateSession(token).ReadAsync(read, cancellationToken).ConfigureAwait(false);
        var before = tokenClient.Statistics;
        var timed = await InterleaveAsync(
            [
                async () => await tokenClient.CreateSession(token).ReadAsync(read, cancellationToken).ConfigureAwait(false),
                async () => await _replica.StringGetAsync(key).ConfigureAwait(false),
            ],
            setup: null,
            cancellationToken).ConfigureAwait(false);
        var (toolkit, raw) = (timed[0], timed[1]);
        var outcomes = tokenClient.Statistics.Since(before);
        return new OverheadResult(
            "fast-path read (replica known to cover the token)",
            "raw replica GET",
            toolkit,
            raw,
            nameof(RywReadOutcome.ReplicaHit),
            outcomes.Reads - outcomes[RywReadOutcome.ReplicaHit]);
    }

    /// <summary>A replica not yet known to cover the token: probe and read pipelined in one round trip.</summary>
    public async Task<OverheadResult> MeasureProbedReadAsync(CancellationToken cancellationToken)
    {
        RedisKey key = keyPrefix + ":probed";
        Func<IDatabaseAsync, Task<RedisValue>> read = db => db.StringGetAsync(key);
        var token = string.Empty;
        long counter = 0;
        var before = tokenClient.Statistics;

        // Before each pair (untimed): a toolkit write moves the token past what the client knows of the replica,
        // then the oracle connection waits until the replica has applied it, so the probe is sure to cover it.
        // The floor: the same order-proof unit sent raw (MULTI, the probe in the form this client uses, GET, EXEC).
        var probeForm = tokenClient.ReplicaNodes[0].Script;
        var timed = await InterleaveAsync(
            [
                async () => await tokenClient.CreateSession(token).ReadAsync(read, cancellationToken).ConfigureAwait(false),
                async () => await _replica.StringGetAsync(key).ConfigureAwait(false),
                async () =>
                {
                    var unit = _replica.CreateTransaction();
                    var probing = ReplicationProbe.SendAsync(unit, probeForm);
                    var reading = unit.StringGetAsync(key);
                    await unit.ExecuteAsync().ConfigureAwait(false);
                    await Task.WhenAll(probing, reading).ConfigureAwait(false);
                },
            ],
            setup: async () => token = await WriteVisibleAsync(key, (++counter).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        var outcomes = tokenClient.Statistics.Since(before);
        return new OverheadResult(
            "probe + read (one round trip)",
            "raw replica GET",
            timed[0],
            timed[1],
            nameof(RywReadOutcome.ProbedHit),
            outcomes.Reads - outcomes[RywReadOutcome.ProbedHit],
            "raw MULTI, probe, GET, EXEC",
            timed[2]);
    }

    /// <summary>A write with the token captured in the same round trip, and exported as a carrier would.</summary>
    public async Task<OverheadResult> MeasureWriteAsync(CancellationToken cancellationToken)
    {
        RedisKey toolkitKey = keyPrefix + ":write:toolkit";
        RedisKey rawKey = keyPrefix + ":write:raw";
        var token = string.Empty;
        long counter = 0;
        var before = tokenClient.Statistics;
        // The floor: what any order-proof capture costs, raw: the SET, then the probe once the SET was answered.
        var probeForm = tokenClient.PrimaryNode.Script;
        var timed = await InterleaveAsync(
            [
                async () =>
                {
                    RedisValue value = ++counter;
                    var session = tokenClient.CreateSession(token);
                    await session.WriteAsync(db => db.StringSetAsync(toolkitKey, value), cancellationToken).ConfigureAwait(false);
                    token = (await session.GetTokenAsync(cancellationToken).ConfigureAwait(false)).ToString();
                },
                async () => await _primary.StringSetAsync(rawKey, ++counter).ConfigureAwait(false),
                async () =>
                {
                    await _primary.StringSetAsync(rawKey, ++counter).ConfigureAwait(false);
                    await ReplicationProbe.SendAsync(_primary, probeForm).ConfigureAwait(false);
                },
            ],
            setup: null,
            cancellationToken).ConfigureAwait(false);
        var captured = tokenClient.Statistics.Since(before).Writes;
        return new OverheadResult(
            "write + token capture + export",
            "raw primary SET",
            timed[0],
            timed[1],
            "token captured",
            (_warmup + samples) - captured,
            "raw SET, then the probe after its reply",
            timed[2]);
    }

    /// <summary>
    /// Runs warm-up rounds, then <c>samples</c> timed rounds of every operation, rotating which goes first each round
    /// (with two operations: swapping them every pair).
    /// </summary>
    /// <returns>Each operation's latencies, in the order given.</returns>
    private async Task<LatencySummary[]> InterleaveAsync(Func<Task>[] operations, Func<Task>? setup, CancellationToken cancellationToken)
    {
        var timings = Array.ConvertAll(operations, _ => new List<double>(samples));
        for (var i = 0; i < _warmup + samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (setup is not null)
            {
                await setup().ConfigureAwait(false);
            }

            for (var step = 0; step < operations.Length; step++)
            {
                var which = (i + step) % operations.Length;
                var elapsed = await TimeAsync(operations[which]).ConfigureAwait(false);
                if (i >= _warmup)
                {
                    timings[which].Add(elapsed);
                }
            }
        }

        return Array.ConvertAll(timings, LatencySummary.From);
    }

    private static async Task<double> TimeAsync(Func<Task> operation)
    {
        var started = Stopwatch.GetTimestamp();
        await operation().ConfigureAwait(false);
        return Stopwatches.ElapsedMs(started);
    }

    /// <summary>Writes through the toolkit and waits (untimed) until the replica has applied the write.</summary>
    private async Task<string> WriteVisibleAsync(RedisKey key, RedisValue value, CancellationToken cancellationToken)
    {
        var session = tokenClient.CreateSession();
        await session.WriteAsync(db => db.StringSetAsync(key, value), cancellationToken).ConfigureAwait(false);
        var token = (await session.GetTokenAsync(cancellationToken).ConfigureAwait(false)).ToString();
        while (await cluster.Oracle.StringGetAsync(key).ConfigureAwait(false) != value)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return token;
    }
}
