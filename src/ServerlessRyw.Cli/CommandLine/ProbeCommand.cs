using System.CommandLine;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Probe;

namespace ServerlessRyw.Cli.CommandLine;

/// <summary><c>ryw probe</c>: checks a Redis deployment for what token mode needs, measures lag and advises a mode.</summary>
internal sealed class ProbeCommand
{
    private readonly Option<string> _primary = new("--primary")
    {
        Description = "The primary, as a StackExchange.Redis configuration string (host:port[,password=…][,ssl=true])",
        HelpName = "configuration",
    };

    private readonly Option<string?> _sentinel = new("--sentinel")
    {
        Description = "Discover the primary and replicas from Redis Sentinel instead: sentinel endpoints and serviceName=… (e.g. 10.0.0.1:26379,10.0.0.2:26379,serviceName=mymaster)",
        HelpName = "configuration",
    };

    private readonly Option<string[]> _replicas = new("--replica")
    {
        Description = "A replica, as a configuration string; repeat for each replica",
        HelpName = "configuration",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<int> _samples = new("--samples")
    {
        Description = "Lag samples per replica",
        DefaultValueFactory = _ => 20,
    };

    private readonly Option<bool> _noWrite = new("--no-write")
    {
        Description = "Do not write probe keys: skips timing how fast a write shows up on replicas",
    };

    public ProbeCommand()
    {
        Command = new Command("probe", "Check a Redis primary and its replicas: can the toolkit read replication offsets there, how far do replicas lag, and which mode to use.")
        {
            _primary, _sentinel, _replicas, _samples, _noWrite,
        };
        Command.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValue(_primary)) == string.IsNullOrWhiteSpace(result.GetValue(_sentinel)))
            {
                result.AddError("Give either --primary or --sentinel.");
            }

            // Validators see implicit (default) values as unset: check only what was typed.
            if (result.GetResult(_samples) is { Implicit: false } && result.GetValue(_samples) is < 1 or > 10_000)
            {
                result.AddError("--samples must be between 1 and 10000.");
            }
        });
        Command.SetAction((parseResult, cancellationToken) => RunAsync(Settings(parseResult), cancellationToken));
    }

    public Command Command { get; }

    public ProbeSettings Settings(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new ProbeSettings
        {
            Primary = parseResult.GetValue(_primary) ?? string.Empty,
            Sentinel = parseResult.GetValue(_sentinel),
            Replicas = parseResult.GetValue(_replicas) ?? [],
            Samples = parseResult.GetValue(_samples),
            MeasureVisibility = !parseResult.GetValue(_noWrite),
        };
    }

    private static async Task<int> RunAsync(ProbeSettings settings, CancellationToken cancellationToken)
    {
        var progress = Progress.ForConsole();
        ProbeFindings findings;
        try
        {
            if (settings.Sentinel is { } sentinel)
            {
                settings = await SentinelProbe.DiscoverAsync(sentinel, settings, cancellationToken).ConfigureAwait(false);
            }

            findings = await new ProbeRunner(settings, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (EnvironmentFailure.Describe(exception, cancellationToken, startedServers: false) is { } failure)
        {
            progress.Clear();
            await Console.Error.WriteLineAsync(failure.Message).ConfigureAwait(false);
            return failure.ExitCode;
        }

        var recommendation = Recommendation.For(findings);
        await Console.Out.WriteAsync(ProbeReport.Render(findings, recommendation, settings)).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
