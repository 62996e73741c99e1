using System.CommandLine;
using ServerlessRyw.Cli.Demo;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Topology;

namespace ServerlessRyw.Cli.CommandLine;

/// <summary><c>ryw demo</c>: stale reads across stateless invocations, with the toolkit off and on, on local servers.</summary>
internal sealed class DemoCommand
{
    private readonly Option<int> _lagMs = new("--lag")
    {
        Description = "How far one replica trails the primary, in ms (with --sentinel: how long each CLIENT PAUSE WRITE on the replicas lasts)",
        DefaultValueFactory = _ => 100,
        HelpName = "ms",
    };

    private readonly Option<int> _chains = new("--chains")
    {
        Description = "Chains of invocations per phase",
        DefaultValueFactory = _ => 200,
    };

    private readonly Option<int> _concurrency = new("--concurrency")
    {
        Description = "Chains in flight at once",
        DefaultValueFactory = _ => 8,
    };

    private readonly Option<string?> _redisServer = RedisServerOption.Create();

    private readonly Option<string?> _sentinel = new("--sentinel")
    {
        Description = "Run over Redis Sentinel and fail over mid-run. Alone: starts three local sentinels, a primary and two replicas. " +
            "With a value: your sentinels and serviceName=… as for `ryw probe --sentinel` (e.g. 10.0.0.1:26379,10.0.0.2:26379,serviceName=mymaster); no local servers, no failover unless --failover",
        HelpName = "configuration",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _failover = new("--failover")
    {
        Description = "With --sentinel <configuration>: ask your sentinels for a SENTINEL FAILOVER half-way through each phase (two failovers of your deployment)",
    };

    public DemoCommand()
    {
        Command = new Command("demo", "See stale reads across chained stateless invocations (HTTP and queue hops) with the toolkit off, and none with it on. Starts local redis-server processes (with --sentinel: sentinels too, and a failover mid-run) and stops them on exit.")
        {
            _lagMs, _chains, _concurrency, _redisServer, _sentinel, _failover,
        };
        Command.Validators.Add(result =>
        {
            Check(_lagMs, 0, 10_000, "--lag must be between 0 and 10000 ms.");
            Check(_chains, 1, 100_000, "--chains must be between 1 and 100000.");
            Check(_concurrency, 1, 256, "--concurrency must be between 1 and 256.");
            CheckSentinel(result);

            void Check(Option<int> option, int min, int max, string error)
            {
                // Validators see implicit (default) values as unset: check only what was typed.
                if (result.GetResult(option) is { Implicit: false } && (result.GetValue(option) < min || result.GetValue(option) > max))
                {
                    result.AddError(error);
                }
            }
        });
        Command.SetAction((parseResult, cancellationToken) => RunAsync(Settings(parseResult), cancellationToken));
    }

    public Command Command { get; }

    private void CheckSentinel(System.CommandLine.Parsing.CommandResult result)
    {
        var sentinel = result.GetResult(_sentinel);
        var configuration = result.GetValue(_sentinel);
        if (sentinel is null)
        {
            if (result.GetValue(_failover))
            {
                result.AddError("--failover needs --sentinel <configuration>: the sentinels to ask.");
            }

            return;
        }

        if (configuration is null)
        {
            // Local sentinels: the demo always fails over its own servers.
            return;
        }

        if (SentinelConfiguration.TryParse(configuration, out var error) is null)
        {
            result.AddError($"--sentinel: {error} Expected host:port[,host:port…],serviceName=<master name>, or --sentinel alone for local servers.");
        }

        if (result.GetResult(_redisServer) is { Implicit: false })
        {
            result.AddError("--redis-server applies only to local servers; it cannot be combined with --sentinel <configuration>.");
        }

        if (result.GetResult(_lagMs) is { Implicit: false })
        {
            result.AddError("--lag applies only to local servers: the demo does not pause replication on your replicas.");
        }
    }

    public DemoSettings Settings(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new DemoSettings
        {
            Lag = TimeSpan.FromMilliseconds(parseResult.GetValue(_lagMs)),
            Chains = parseResult.GetValue(_chains),
            Concurrency = parseResult.GetValue(_concurrency),
            RedisServerPath = parseResult.GetValue(_redisServer),
            Sentinel = parseResult.GetResult(_sentinel) is not null,
            SentinelConfiguration = parseResult.GetValue(_sentinel),
            Failover = parseResult.GetResult(_sentinel) is not null && (parseResult.GetValue(_sentinel) is null || parseResult.GetValue(_failover)),
        };
    }

    private static async Task<int> RunAsync(DemoSettings settings, CancellationToken cancellationToken)
    {
        var progress = Progress.ForConsole();
        DemoResult result;
        try
        {
            result = await new DemoRunner(settings, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (EnvironmentFailure.Describe(exception, cancellationToken) is { } failure)
        {
            progress.Clear();
            await Console.Error.WriteLineAsync(failure.Message).ConfigureAwait(false);
            return failure.ExitCode;
        }

        await Console.Out.WriteAsync(DemoReport.Render(result)).ConfigureAwait(false);
        return result.On.StaleReads == 0 ? ExitCodes.Success : ExitCodes.CorrectnessFailure;
    }
}
