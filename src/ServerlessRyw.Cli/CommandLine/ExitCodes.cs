namespace ServerlessRyw.Cli.CommandLine;

/// <summary>What <c>ryw</c> returns to the shell.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad arguments (System.CommandLine's own code for parse errors).</summary>
    public const int Usage = 1;

    /// <summary>The environment is not usable: no <c>redis-server</c>, a server would not start, a connection failed.</summary>
    public const int Environment = 2;

    /// <summary>A correctness check failed: stale reads in token mode, or the setup could not show stale reads at all.</summary>
    public const int CorrectnessFailure = 3;

    /// <summary>Stopped with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
