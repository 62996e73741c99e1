namespace ServerlessRyw.Cli.Bench;

/// <summary>How a benchmark cell routes reads and confirms writes.</summary>
internal enum BenchMode
{
    /// <summary>Toolkit off: every read on the replica, no check (<see cref="RywMode.ReplicaUnsafe"/>).</summary>
    ReplicaUnsafe,

    /// <summary>Every read on the primary (<see cref="RywMode.PrimaryOnly"/>).</summary>
    PrimaryOnly,

    /// <summary>Reads on the primary for 2 s after the chain's last write (<see cref="RywMode.Window"/>).</summary>
    Window,

    /// <summary>A raw write followed by <c>WAIT 1 &lt;timeout&gt;</c>, then unchecked replica reads.</summary>
    WaitAfterWrite,

    /// <summary>Read-your-writes tokens (<see cref="RywMode.Token"/>).</summary>
    Token,
}

internal static class BenchModes
{
    public static IReadOnlyList<BenchMode> All { get; } = Enum.GetValues<BenchMode>();

    public static string Name(this BenchMode mode) => mode switch
    {
        BenchMode.ReplicaUnsafe => "replica-unsafe",
        BenchMode.PrimaryOnly => "primary-only",
        BenchMode.Window => "window",
        BenchMode.WaitAfterWrite => "wait-after-write",
        BenchMode.Token => "token",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static bool TryParse(string text, out BenchMode mode)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }
}
