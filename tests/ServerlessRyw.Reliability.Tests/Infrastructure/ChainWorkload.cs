using System.Diagnostics;
using StackExchange.Redis;

namespace ServerlessRyw.Reliability.Tests.Infrastructure;

/// <summary>
/// Chains of stateless invocations with a ground truth. Each lane owns a key and writes 1, 2, 3, … to it; after each
/// write the invocation hands its exported token to the next invocation, a fresh session, which reads the key.
/// A read is stale when it returns less than the last value whose write was acknowledged before the token was
/// exported (the token covers that write). Every read is timed; every exception is classified.
/// </summary>
public sealed class ChainWorkload
{
    private readonly ChainLane[] _lanes;

    public ChainWorkload(string prefix, int lanes)
    {
        _lanes = Enumerable.Range(0, lanes).Select(i => new ChainLane($"{prefix}:{i}:{Guid.NewGuid():N}")).ToArray();
    }

    public IReadOnlyList<ChainLane> Lanes => _lanes;

    /// <summary>The tokens the lanes would hand on next (what a queue or an HTTP response would carry).</summary>
    public IEnumerable<string> CarriedTokens => _lanes.Select(l => l.Carried);

    /// <summary>
    /// Runs every lane until <paramref name="stop"/> is cancelled or each lane made <paramref name="hopsPerLane"/> hops.
    /// </summary>
    /// <param name="client">The process's client (its options decide the mode).</param>
    /// <param name="readLimit">Reads slower than this are counted as slow.</param>
    /// <param name="stop">Stops the lanes after their current hop.</param>
    /// <param name="hopsPerLane">A fixed number of hops per lane instead of a stop signal.</param>
    public async Task<WorkloadResult> RunAsync(RywClient client, TimeSpan readLimit, int hopsPerLane = int.MaxValue, CancellationToken stop = default)
    {
        var result = new WorkloadResult();
        var before = client.Statistics;
        await Task.WhenAll(_lanes.Select(lane => Task.Run(() => RunLaneAsync(client, lane, result, readLimit, hopsPerLane, stop), CancellationToken.None)));
        result.Statistics = client.Statistics.Since(before);
        return result;
    }

    /// <summary>The data of every lane was lost (a primary restarted without persistence): start new keys, keep the tokens.</summary>
    public void ForgetData()
    {
        foreach (var lane in _lanes)
        {
            lane.ForgetData();
        }
    }

    private static async Task RunLaneAsync(
        RywClient client, ChainLane lane, WorkloadResult result, TimeSpan readLimit, int hops, CancellationToken stop)
    {
        for (var hop = 0; hop < hops && !stop.IsCancellationRequested; hop++)
        {
            // Invocation A: continues from the token it was handed, writes the next value, reads it back, hands on.
            var writer = client.CreateSession(lane.Carried);
            var value = lane.NextValue();
            var written = await Guard(result, () => writer.WriteAsync(db => db.StringSetAsync(lane.Key, value)));
            if (written)
            {
                lane.Acknowledged = value;
            }

            await ReadAndCheckAsync(writer, lane, result, readLimit);
            lane.Carried = await ExportAsync(writer, lane.Carried, result);

            // Invocation B: a fresh session in possibly another instance; only the token text connects it to A.
            var reader = client.CreateSession(lane.Carried);
            await ReadAndCheckAsync(reader, lane, result, readLimit);
            lane.Carried = await ExportAsync(reader, lane.Carried, result);
            result.AddInvocation();
        }
    }

    private static async Task ReadAndCheckAsync(RywSession session, ChainLane lane, WorkloadResult result, TimeSpan readLimit)
    {
        var mustSee = lane.Acknowledged;
        var clock = Stopwatch.StartNew();
        RedisValue read = default;
        var answered = await Guard(result, async () => read = await session.ReadAsync(db => db.StringGetAsync(lane.Key)));
        var elapsed = clock.Elapsed;
        if (result.AddRead(elapsed, answered, readLimit))
        {
            result.Note($"slow read: {elapsed.TotalMilliseconds:0} ms on {lane.Key} (answered: {answered})");
        }

        if (!answered)
        {
            return;
        }

        var seen = read.HasValue ? (long)read : 0;
        if (seen < mustSee)
        {
            result.AddStale();
            result.Note($"stale read: {lane.Key} returned {seen}, the token covers {mustSee} (token {session.Token})");
        }
    }

    private static async Task<string> ExportAsync(RywSession session, string previous, WorkloadResult result)
    {
        var exported = previous;
        await Guard(result, async () => exported = await session.ExportAsync());
        return exported;
    }

    /// <summary>
    /// Runs one call of the user's function. A StackExchange.Redis failure of the user's own command is allowed
    /// (counted: the test decides whether the primary was down); anything else reaching the function is the toolkit's.
    /// </summary>
    private static async Task<bool> Guard(WorkloadResult result, Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException or RedisServerException)
        {
            result.AddRedisFailure();
            result.Note($"redis failure: {exception.GetType().Name}: {Shorten(exception.Message)}");
            return false;
        }
        catch (Exception exception)
        {
            result.AddToolkitException();
            result.Note($"toolkit exception: {exception}");
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}

/// <summary>One chain: its key, the value last acknowledged, and the token the last invocation handed on.</summary>
public sealed class ChainLane(string key)
{
    private long _next;

    public RedisKey Key { get; private set; } = key;

    public long Acknowledged { get; set; }

    public string Carried { get; set; } = string.Empty;

    public long NextValue() => ++_next;

    public void ForgetData()
    {
        Key = $"{Key}:after-loss";
        Acknowledged = 0;
    }
}
