using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Reporting;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>Runs <c>ryw bench</c>: the matrix of chained invocations, the interleaved overhead pairs and the throughput rounds.</summary>
internal sealed class BenchRunner(BenchSettings settings, Progress progress)
{
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var runId = startedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        progress.Update("Starting a local primary and a lagged replica…");
        var cluster = await BenchCluster.StartAsync(settings.RedisServerPath, cancellationToken).ConfigureAwait(false);
        await using (cluster.ConfigureAwait(false))
        {
            var clients = new Dictionary<RywMode, RywClient>();
            try
            {
                RywClient Client(RywMode mode)
                {
                    if (!clients.TryGetValue(mode, out var client))
                    {
                        clients[mode] = client = cluster.CreateClient(mode, settings.WaitBudget);
                    }

                    return client;
                }

                var cells = await RunMatrixAsync(cluster, Client, runId, cancellationToken).ConfigureAwait(false);
                await cluster.SetLagAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);

                // A fresh token client for the overhead and throughput phases: its statistics are theirs alone.
                using var tokenClient = cluster.CreateClient(RywMode.Token, settings.WaitBudget);
                var overhead = new OverheadBench(cluster, tokenClient, settings.OverheadSamples, $"ryw:bench:{runId}:overhead");
                progress.Update(Invariant($"Overhead: fast-path read vs raw replica GET ({settings.OverheadSamples} interleaved pairs)…"));
                var fastPath = await overhead.MeasureFastPathReadAsync(cancellationToken).ConfigureAwait(false);
                progress.Update(Invariant($"Overhead: probe + read vs raw replica GET ({settings.OverheadSamples} interleaved pairs)…"));
                var probed = await overhead.MeasureProbedReadAsync(cancellationToken).ConfigureAwait(false);
                progress.Update(Invariant($"Overhead: write + token capture vs raw SET ({settings.OverheadSamples} interleaved pairs)…"));
                var write = await overhead.MeasureWriteAsync(cancellationToken).ConfigureAwait(false);
                progress.Update(Invariant($"Throughput: {settings.ThroughputSessions} sessions, {settings.ThroughputRounds} alternating rounds of {settings.ThroughputRoundDuration.TotalSeconds:0.##} s…"));
                var throughput = await ThroughputBench.RunAsync(
                    cluster,
                    tokenClient,
                    settings.ThroughputSessions,
                    settings.ThroughputRounds,
                    settings.ThroughputRoundDuration,
                    $"ryw:bench:{runId}:throughput",
                    cancellationToken).ConfigureAwait(false);
                progress.Clear();

                return new BenchReport
                {
                    Settings = settings,
                    Environment = BenchEnvironment.Capture(startedAt, cluster.RedisVersion),
                    Cells = cells,
                    Overheads = [fastPath, probed, write],
                    Throughput = throughput,
                    Elapsed = Stopwatch.GetElapsedTime(started),
                };
            }
            finally
            {
                foreach (var client in clients.Values)
                {
                    client.Dispose();
                }
            }
        }
    }

    private async Task<List<CellResult>> RunMatrixAsync(
        BenchCluster cluster, Func<RywMode, RywClient> client, string runId, CancellationToken cancellationToken)
    {
        var cells = new List<CellResult>();
        var total = settings.LagsMs.Count * settings.Sessions.Count * settings.Modes.Count;
        foreach (var lag in settings.LagsMs)
        {
            progress.Update(Invariant($"Setting replica lag to {lag} ms…"));
            await cluster.SetLagAsync(TimeSpan.FromMilliseconds(lag), cancellationToken).ConfigureAwait(false);
            foreach (var sessions in settings.Sessions)
            {
                foreach (var mode in settings.Modes)
                {
                    progress.Update(Invariant(
                        $"[{cells.Count + 1}/{total}] lag {lag} ms, {sessions} session(s), {mode.Name()} ({settings.CellDuration.TotalSeconds:0.##} s)…"));
                    var driver = await CreateDriverAsync(cluster, client, mode, sessions).ConfigureAwait(false);
                    var cell = await ChainCell.RunAsync(
                        driver,
                        cluster.Oracle,
                        sessions,
                        lag,
                        settings.CellDuration,
                        settings.ReadsPerWrite,
                        $"ryw:bench:{runId}:{lag}:{sessions}:{mode.Name()}",
                        cancellationToken).ConfigureAwait(false);
                    cells.Add(cell);
                }
            }
        }

        return cells;
    }

    private async Task<ChainDriver> CreateDriverAsync(BenchCluster cluster, Func<RywMode, RywClient> client, BenchMode mode, int sessions) => mode switch
    {
        BenchMode.ReplicaUnsafe => new RoutedChainDriver(mode, client(RywMode.ReplicaUnsafe)),
        BenchMode.PrimaryOnly => new RoutedChainDriver(mode, client(RywMode.PrimaryOnly)),
        BenchMode.Window => new RoutedChainDriver(mode, client(RywMode.Window)),
        BenchMode.Token => new RoutedChainDriver(mode, client(RywMode.Token)),

        // Cells run one at a time, so sharing the replica-unsafe client keeps each cell's read statistics apart.
        BenchMode.WaitAfterWrite => new WaitAfterWriteDriver(
            client(RywMode.ReplicaUnsafe),
            await cluster.GetWaitConnectionsAsync(sessions, settings.WaitCommandTimeout).ConfigureAwait(false),
            settings.WaitCommandTimeout),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    private static string Invariant(FormattableString text) => Format.Invariant(text);
}
