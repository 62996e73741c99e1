namespace ServerlessRyw.Routing;

/// <summary>The options a client routes by, copied once so later changes to <see cref="RywOptions"/> cannot race.</summary>
internal sealed class RoutingPolicy(RywOptions options)
{
    public RywMode Mode { get; } = options.Mode;

    public TimeSpan Window { get; } = options.Window;

    public TimeSpan WaitBudget { get; } = options.WaitBudget;

    public TimeSpan InitialBackoff { get; } = options.InitialBackoff;

    public TimeSpan MaxBackoff { get; } = options.MaxBackoff;

    public TimeProvider Time { get; } = options.TimeProvider;

    public Action<RywReadRoutedArguments>? OnReadRouted { get; } = options.OnReadRouted;

    public TimeSpan ReplicaTimeout { get; } = options.ReplicaTimeout;

    /// <summary>The client's one deadline mechanism (a shared timer, not one per call).</summary>
    public DeadlineWheel Deadlines { get; } = new(options.TimeProvider, options.ReplicaTimeout);

    public TimeSpan KnownPositionLifetime { get; } = options.KnownPositionLifetime;

    public RywTokenSigner? Signer { get; } = options.SigningKeys.Count == 0 ? null : new RywTokenSigner(options.SigningKeys);

    public bool RequireSignedTokens { get; } = options.RequireSignedTokens;

    /// <summary>How far in the future a write time may be (clock skew between instances) before it is distrusted.</summary>
    public static TimeSpan MaxClockSkew { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a read delegate may take to finish once the transaction it issued its commands into was answered.
    /// Longer means it awaited one command before issuing the next, which an executed transaction never sends: the
    /// read is then run again on its own, after the probe (still correct, one more round trip).
    /// </summary>
    public static TimeSpan ReadDelegateGrace { get; } = TimeSpan.FromMilliseconds(20);
}
