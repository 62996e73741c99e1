using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using ServerlessRyw.Cli.Bench;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Reporting;

namespace ServerlessRyw.Cli.CommandLine;

/// <summary><c>ryw bench</c>: measures the read-your-writes tax on local servers and writes bench.md/.csv/.svg.</summary>
internal sealed class BenchCommand
{
    private readonly Option<bool> _quick = new("--quick")
    {
        Description = "CI smoke preset (under 30 s): lags 0,50 ms, 1 and 16 sessions, 0.3 s cells, 300 overhead pairs. Explicit options still win.",
    };

    private readonly Option<int[]?> _lags = IntegerList("--lags", "Replica lags to inject, in ms [default: 0,5,50,200]", 0, 10_000);

    private readonly Option<int[]?> _sessions = IntegerList("--sessions", "Concurrent sessions (chains) per cell [default: 1,16,64]", 1, 1024);

    private readonly Option<BenchMode[]?> _modes = new("--modes")
    {
        Description = "Modes to compare [default: all: replica-unsafe,primary-only,window,wait-after-write,token]",
        HelpName = "mode,mode,…",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            if (ListParsing.TryParseModes(result.Tokens.Single().Value, out var modes, out var error))
            {
                return modes;
            }

            result.AddError("--modes: " + error);
            return null;
        },
    };

    private readonly Option<double?> _cellSeconds = new("--cell-seconds") { Description = "How long each (lag, sessions, mode) cell runs [default: 1.5; quick: 0.3]" };

    private readonly Option<int?> _readsPerWrite = new("--reads-per-write") { Description = "Read hops after each write hop in a chain [default: 4]" };

    private readonly Option<int?> _samples = new("--samples") { Description = "Interleaved toolkit/raw pairs per overhead row [default: 3000; quick: 300]" };

    private readonly Option<int?> _waitBudgetMs = new("--wait-budget-ms") { Description = "Token mode's wait budget before reading the primary [default: 100]" };

    private readonly Option<int?> _waitTimeoutMs = new("--wait-timeout-ms") { Description = "Timeout passed to WAIT 1 in wait-after-write mode [default: 1000]" };

    private readonly Option<bool> _probeCost = new("--probe-cost")
    {
        Description = "Measure only what each probe variant costs the server (INFO commandstats on a local replica and primary), instead of the matrix; writes probe-cost.md.",
    };

    private readonly Option<int?> _probeCalls = new("--probe-calls") { Description = "Calls per probe variant and server with --probe-cost [default: 20000; quick: 2000]" };

    private readonly Option<string?> _out = new("--out") { Description = "Directory for bench.md, bench.csv, bench-overhead.csv and bench.svg, or probe-cost.md with --probe-cost [default: ./artifacts/bench]" };

    private readonly Option<string?> _redisServer = RedisServerOption.Create();

    public BenchCommand()
    {
        Command = new Command("bench", "Measure the read-your-writes tax: stale reads, replica share and latency per mode, lag and concurrency, against raw StackExchange.Redis.")
        {
            _quick, _lags, _sessions, _modes, _cellSeconds, _readsPerWrite, _samples, _waitBudgetMs, _waitTimeoutMs, _probeCost, _probeCalls, _out, _redisServer,
        };
        Command.Validators.Add(result =>
        {
            foreach (var error in BuildSettings(result).Validate())
            {
                result.AddError(error);
            }
        });
        Command.SetAction((parseResult, cancellationToken) => RunAsync(Settings(parseResult), cancellationToken));
    }

    public Command Command { get; }

    /// <summary>The settings the parsed command line asks for: the preset, overridden by explicit options.</summary>
    public BenchSettings Settings(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return BuildSettings(parseResult.CommandResult);
    }

    private BenchSettings BuildSettings(SymbolResult result)
    {
        var preset = Value(result, _quick) ? BenchSettings.Quick : BenchSettings.Default;
        return preset with
        {
            LagsMs = Value(result, _lags) ?? preset.LagsMs,
            Sessions = Value(result, _sessions) ?? preset.Sessions,
            Modes = Value(result, _modes) ?? preset.Modes,
            CellDuration = Value(result, _cellSeconds) is double seconds ? TimeSpan.FromSeconds(seconds) : preset.CellDuration,
            ReadsPerWrite = Value(result, _readsPerWrite) ?? preset.ReadsPerWrite,
            OverheadSamples = Value(result, _samples) ?? preset.OverheadSamples,
            WaitBudget = Value(result, _waitBudgetMs) is int budget ? TimeSpan.FromMilliseconds(budget) : preset.WaitBudget,
            WaitCommandTimeout = Value(result, _waitTimeoutMs) is int timeout ? TimeSpan.FromMilliseconds(timeout) : preset.WaitCommandTimeout,
            ProbeCost = Value(result, _probeCost),
            ProbeCalls = Value(result, _probeCalls) ?? preset.ProbeCalls,
            OutputDirectory = Value(result, _out) ?? preset.OutputDirectory,
            RedisServerPath = Value(result, _redisServer),
        };
    }

    /// <summary>
    /// An option's value only when it was on the command line (list options otherwise read as empty, not null);
    /// the default when its text did not convert, since the parser has already reported that error.
    /// </summary>
    private static T? Value<T>(SymbolResult result, Option<T> option)
    {
        if (result.GetResult(option) is not { Implicit: false })
        {
            return default;
        }

        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    private static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var progress = Progress.ForConsole();
        if (settings.ProbeCost)
        {
            return await RunProbeCostAsync(settings, progress, cancellationToken).ConfigureAwait(false);
        }

        BenchReport report;
        try
        {
            report = await new BenchRunner(settings, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (EnvironmentFailure.Describe(exception, cancellationToken) is { } failure)
        {
            progress.Clear();
            await Console.Error.WriteLineAsync(failure.Message).ConfigureAwait(false);
            return failure.ExitCode;
        }

        var markdown = MarkdownReport.Render(report);
        var files = BenchOutput.Write(report, markdown, settings.OutputDirectory);
        await Console.Out.WriteAsync(markdown).ConfigureAwait(false);
        await Console.Out.WriteLineAsync().ConfigureAwait(false);
        await Console.Out.WriteLineAsync("Wrote " + string.Join(", ", files)).ConfigureAwait(false);

        var failed = report.Targets.Where(t => t.IsCorrectness && t.Status == TargetStatus.Fail).ToList();
        foreach (var target in failed)
        {
            await Console.Error.WriteLineAsync($"Correctness check failed: {target.Name} (measured {target.Measured}).").ConfigureAwait(false);
        }

        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.CorrectnessFailure;
    }

    private static async Task<int> RunProbeCostAsync(BenchSettings settings, Progress progress, CancellationToken cancellationToken)
    {
        ProbeCostReport report;
        try
        {
            report = await new ProbeCostBench(settings, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (EnvironmentFailure.Describe(exception, cancellationToken) is { } failure)
        {
            progress.Clear();
            await Console.Error.WriteLineAsync(failure.Message).ConfigureAwait(false);
            return failure.ExitCode;
        }

        var markdown = ProbeCostMarkdown.Render(report);
        Directory.CreateDirectory(settings.OutputDirectory);
        var path = Path.Combine(settings.OutputDirectory, ProbeCostMarkdown.FileName);
        await File.WriteAllTextAsync(path, markdown, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken).ConfigureAwait(false);
        await Console.Out.WriteAsync(markdown).ConfigureAwait(false);
        await Console.Out.WriteLineAsync().ConfigureAwait(false);
        await Console.Out.WriteLineAsync("Wrote " + path).ConfigureAwait(false);

        // Costs are findings, not pass/fail: like the matrix's timings, they never change the exit code.
        return ExitCodes.Success;
    }

    private static Option<int[]?> IntegerList(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "n,n,…",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = result =>
        {
            if (ListParsing.TryParseIntegers(result.Tokens.Single().Value, min, max, out var values, out var error))
            {
                return values;
            }

            result.AddError($"{name}: {error}");
            return null;
        },
    };
}
