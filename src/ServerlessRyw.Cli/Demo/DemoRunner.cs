using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.LocalRedis;
using ServerlessRyw.Propagation;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Demo;

/// <summary>
/// Runs <c>ryw demo</c>: a local primary and two replicas (one lagging), then the same chains of stateless
/// invocations with the toolkit off (<see cref="RywMode.ReplicaUnsafe"/>) and on (<see cref="RywMode.Token"/>).
/// </summary>
internal sealed class DemoRunner(DemoSettings settings, Progress progress)
{
    public async Task<DemoResult> RunAsync(CancellationToken cancellationToken)
    {
        if (settings.Sentinel)
        {
            return await new SentinelDemoRunner(settings, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        }

        progress.Update("Starting a local primary and two replicas…");
        var servers = await LocalReplicaSet.StartAsync(
            new LocalReplicaSetOptions
            {
                Replicas = 2,
                LaggedReplicaDelay = settings.Lag,
                Server = new RedisServerOptions { ExecutablePath = settings.RedisServerPath },
            },
            cancellationToken).ConfigureAwait(false);
        await using (servers.ConfigureAwait(false))
        {
            var info = await RespClient.ExecuteAsync(servers.Primary.EndPoint, ["INFO", "server"], cancellationToken).ConfigureAwait(false);
            var topology = new DemoTopology(
                RedisInfo.Parse(info).GetValueOrDefault("redis_version", "?"),
                servers.Primary.EndPoint,
                servers.Replicas[0].EndPoint,
                servers.Replicas[1].EndPoint,
                settings.Lag);
            progress.Clear();
            await Console.Out.WriteLineAsync(DemoReport.Introduction(topology, settings)).ConfigureAwait(false);

            var primary = await RedisConnections.ConnectAsync(servers.Primary.EndPoint).ConfigureAwait(false);
            try
            {
                string[] replicas = [servers.Replicas[0].EndPoint, servers.Replicas[1].EndPoint];
                var off = await RunPhaseAsync("toolkit off", RywMode.ReplicaUnsafe, primary, replicas, cancellationToken).ConfigureAwait(false);
                var on = await RunPhaseAsync("toolkit on", RywMode.Token, primary, replicas, cancellationToken).ConfigureAwait(false);
                progress.Clear();
                return new DemoResult(topology, off, on);
            }
            finally
            {
                await primary.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
                primary.Dispose();
            }
        }
    }

    private async Task<DemoPhaseResult> RunPhaseAsync(
        string name, RywMode mode, IConnectionMultiplexer primary, string[] replicas, CancellationToken cancellationToken)
    {
        var recorder = new DemoRecorder();
        progress.Update(name + ": starting the function app on Kestrel…");
        var app = await DemoApp.StartAsync(
            mode,
            primary,
            options =>
            {
                foreach (var replica in replicas)
                {
                    options.Replicas.Add(replica);
                }
            },
            recorder,
            tolerateRedisFailures: false,
            cancellationToken).ConfigureAwait(false);
        await using (app.ConfigureAwait(false))
        {
            using var caller = new HttpClient { BaseAddress = app.Address };
            await DemoChains.RunAsync(settings, progress, caller, recorder, name, "warmup", settings.WarmUpChains, report: false, tolerateFailures: false, until: null, cancellationToken).ConfigureAwait(false);
            var before = app.Client.Statistics;
            recorder.Recording = true;
            await DemoChains.RunAsync(settings, progress, caller, recorder, name, "run", settings.Chains, report: true, tolerateFailures: false, until: null, cancellationToken).ConfigureAwait(false);
            return recorder.Result(name, mode, app.Client.Statistics.Since(before));
        }
    }

}

/// <summary>Drives chains of invocations against a running <see cref="DemoApp"/>.</summary>
internal static class DemoChains
{
    /// <param name="settings">Concurrency.</param>
    /// <param name="progress">Where the chain count is shown.</param>
    /// <param name="caller">The front end's HTTP client, pointed at the app.</param>
    /// <param name="recorder">The phase's tallies.</param>
    /// <param name="phase">For progress and chain ids.</param>
    /// <param name="batch">For chain ids.</param>
    /// <param name="chains">How many; <see langword="null"/> runs until <paramref name="until"/> completes.</param>
    /// <param name="report">Whether to show progress.</param>
    /// <param name="tolerateFailures">Whether a request answered 503 (a Redis error, counted by the app) ends only its chain.</param>
    /// <param name="until">With no <paramref name="chains"/>: new chains start until it completes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>How many chains ran.</returns>
    public static async Task<int> RunAsync(
        DemoSettings settings,
        Progress progress,
        HttpClient caller,
        DemoRecorder recorder,
        string phase,
        string batch,
        int? chains,
        bool report,
        bool tolerateFailures,
        Task? until,
        CancellationToken cancellationToken)
    {
        var done = 0;
        var prefix = $"{phase.Replace(' ', '-')}-{batch}-{Guid.NewGuid():N}"[..40];
        var indexes = chains is { } count ? Enumerable.Range(0, count) : Forever(until ?? Task.CompletedTask);
        await Parallel.ForEachAsync(
            indexes,
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (chain, token) =>
            {
                await RunChainAsync(caller, recorder, string.Create(CultureInfo.InvariantCulture, $"{prefix}-{chain}"), chain, tolerateFailures, token).ConfigureAwait(false);
                var finished = Interlocked.Increment(ref done);
                // A terminal line is cheap to overwrite; a CI log gets a line per quarter.
                var every = progress.IsInteractive ? 10 : Math.Max(10, (chains ?? 40) / 4);
                if (report && (finished % every == 0 || finished == chains))
                {
                    lock (progress)
                    {
                        progress.Update(chains is null
                            ? string.Create(CultureInfo.InvariantCulture, $"{phase}: {finished} chains during the failover…")
                            : string.Create(CultureInfo.InvariantCulture, $"{phase}: {finished}/{chains} chains…"));
                    }
                }
            }).ConfigureAwait(false);
        return done;
    }

    private static IEnumerable<int> Forever(Task until)
    {
        for (var i = 0; !until.IsCompleted; i++)
        {
            yield return i;
        }
    }

    /// <summary>
    /// One chain, as a browser and a back end would drive it: POST writes (and enqueues), the caller immediately
    /// GETs with the token it got back, and the queue consumer reads and calls GET itself.
    /// </summary>
    private static async Task RunChainAsync(
        HttpClient caller, DemoRecorder recorder, string id, int chain, bool tolerateFailures, CancellationToken cancellationToken)
    {
        var status = string.Create(CultureInfo.InvariantCulture, $"paid-{chain}");
        var consumed = recorder.ExpectConsumer(id);
        var started = Stopwatch.GetTimestamp();
        using var written = await caller.PostAsync(new Uri($"/orders/{id}?status={status}", UriKind.Relative), null, cancellationToken).ConfigureAwait(false);
        if (tolerateFailures && written.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            // The write failed with a Redis error (counted by the app): no message was sent, the chain ends here.
            recorder.ForgetConsumer(id);
            return;
        }

        written.EnsureSuccessStatusCode();

        // A stateless front end keeps nothing but the token it was given (a header, a cookie) and sends it back.
        using var read = new HttpRequestMessage(HttpMethod.Get, new Uri($"/orders/{id}?expect={status}&hop=http", UriKind.Relative));
        if (written.Headers.TryGetValues(RywHeaderNames.Token, out var tokens))
        {
            read.Headers.TryAddWithoutValidation(RywHeaderNames.Token, tokens);
        }

        read.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await caller.SendAsync(read, cancellationToken).ConfigureAwait(false);
        if (!(tolerateFailures && response.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            response.EnsureSuccessStatusCode();
        }

        await consumed.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        recorder.RecordChain(Stopwatches.ElapsedMs(started));
    }
}

/// <summary>The servers the demo started.</summary>
internal sealed record DemoTopology(string RedisVersion, string Primary, string LaggedReplica, string PromptReplica, TimeSpan Lag);

/// <summary>Both phases of a demo run; <paramref name="Sentinel"/> when it ran over Sentinel.</summary>
internal sealed record DemoResult(DemoTopology Topology, DemoPhaseResult Off, DemoPhaseResult On, DemoSentinelTopology? Sentinel = null);
