namespace ServerlessRyw;

/// <summary>What happened to one routed read; passed to <see cref="RywOptions.OnReadRouted"/>.</summary>
public readonly struct RywReadRoutedArguments
{
    internal RywReadRoutedArguments(RywReadOutcome outcome, TimeSpan waited, int probes, string? server)
    {
        Outcome = outcome;
        Waited = waited;
        Probes = probes;
        Server = server;
    }

    /// <summary>Where the read was served and why.</summary>
    public RywReadOutcome Outcome { get; }

    /// <summary>Time spent waiting for a replica to catch up (zero on the fast paths).</summary>
    public TimeSpan Waited { get; }

    /// <summary>How many offset probes the read sent.</summary>
    public int Probes { get; }

    /// <summary>The name of the server that answered (its endpoint), when known.</summary>
    public string? Server { get; }
}
