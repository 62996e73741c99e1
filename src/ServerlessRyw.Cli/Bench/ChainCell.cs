using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.Cli.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// Runs one cell: <c>sessions</c> concurrent chains, each a write hop followed by read hops, every hop a new
/// stateless invocation that only receives the previous hop's token text. A read is stale when it does not return
/// the value its chain wrote last.
/// </summary>
/// <remarks>
/// The oracle: just before each routed read, a plain GET on a separate replica connection checks whether the
/// replica already holds the chain's value. A read is "replica-eligible" if it does: an ideal router that knew the
/// replica's contents, and never waited, would have sent exactly those reads to the replica. The look-up is not
/// part of the timed read. A mode that waits (token mode) can exceed the oracle share by paying latency.
/// </remarks>
internal static class ChainCell
{
    public static async Task<CellResult> RunAsync(
        ChainDriver driver,
        IDatabase oracle,
        int sessions,
        int lagMs,
        TimeSpan duration,
        int readsPerWrite,
        string keyPrefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(oracle);
        var before = driver.ReadClient.Statistics;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var chains = new ChainRecorder[sessions];
        var running = new Task[sessions];
        for (var i = 0; i < sessions; i++)
        {
            chains[i] = new ChainRecorder();
            var session = i;
            running[i] = Task.Run(
                () => RunChainsAsync(driver, oracle, session, stopAt, readsPerWrite, $"{keyPrefix}:{session}", chains[session], cancellationToken),
                cancellationToken);
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var outcomes = ReadOutcomes.From(driver.ReadClient.Statistics.Since(before));
        return ChainRecorder.Merge(chains, driver.Mode, lagMs, elapsed, outcomes);
    }

    private static async Task RunChainsAsync(
        ChainDriver driver,
        IDatabase oracle,
        int session,
        long stopAt,
        int readsPerWrite,
        string key,
        ChainRecorder recorder,
        CancellationToken cancellationToken)
    {
        var token = string.Empty;
        long counter = 0;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RedisValue value = (++counter).ToString(CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            var write = await driver.WriteAsync(session, key, value, token, cancellationToken).ConfigureAwait(false);
            recorder.RecordWrite(Stopwatches.ElapsedMs(started), write.ReplicationConfirmed);
            token = write.Token;

            for (var hop = 0; hop < readsPerWrite; hop++)
            {
                var replicaHadIt = await oracle.StringGetAsync(key).ConfigureAwait(false) == value;
                started = Stopwatch.GetTimestamp();
                var read = await driver.ReadAsync(key, token, cancellationToken).ConfigureAwait(false);
                recorder.RecordRead(Stopwatches.ElapsedMs(started), value, read.Value, replicaHadIt);
                token = read.Token;
            }
        }
    }
}
