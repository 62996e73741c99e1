namespace ServerlessRyw;

/// <summary>How a <see cref="RywClient"/> routes reads. Validated when the client is created.</summary>
public sealed class RywOptions
{
    /// <summary>The routing mode. <value>Default: <see cref="RywMode.Token"/>.</value></summary>
    public RywMode Mode { get; set; } = RywMode.Token;

    /// <summary>
    /// In <see cref="RywMode.Window"/>, how long after a write reads stay on the primary.
    /// <value>Default: 2 seconds (the Rails default).</value>
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a read may wait for a lagging replica before it reads the primary instead. Zero reads the primary
    /// at once when the first probe falls short. <value>Default: 100 ms.</value>
    /// </summary>
    public TimeSpan WaitBudget { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The first pause between probes while waiting. <value>Default: 1 ms.</value></summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest pause between probes (pauses double up to it). <value>Default: 16 ms.</value></summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMilliseconds(16);

    /// <summary>
    /// The primary's StackExchange.Redis configuration string, used when no <c>IConnectionMultiplexer</c> is
    /// supplied. <value>Default: <see langword="null"/>.</value>
    /// </summary>
    public string? Primary { get; set; }

    /// <summary>
    /// One StackExchange.Redis configuration string per replica; each gets its own shared connection.
    /// <value>Default: empty (then every read goes to the primary).</value>
    /// </summary>
    public IList<string> Replicas { get; } = new List<string>();

    /// <summary>
    /// Where the primary and more replicas come from while running: Redis Sentinel (<c>Topology.Sentinel</c>, then
    /// <see cref="Primary"/> may be empty) or the primary's own replica list (<c>Topology.DiscoverReplicas</c>).
    /// Discovered replicas join <see cref="Replicas"/>; a promoted replica leaves, a demoted primary joins.
    /// <value>Default: no discovery.</value>
    /// </summary>
    public RywTopologyOptions Topology { get; } = new();

    /// <summary>The clock for windows, waits and backoff. <value>Default: <see cref="TimeProvider.System"/>.</value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Called after every routed read with what happened; keep it cheap, it runs on the read path.
    /// <value>Default: <see langword="null"/>.</value>
    /// </summary>
    public Action<RywReadRoutedArguments>? OnReadRouted { get; set; }

    /// <summary>
    /// HMAC keys for signing exported tokens, newest first; every key verifies incoming ones, so a key rotates by
    /// adding the new one in front and removing the old one once no token signed with it can still arrive.
    /// <value>Default: empty (tokens are not signed).</value>
    /// </summary>
    public IList<byte[]> SigningKeys { get; } = new List<byte[]>();

    /// <summary>
    /// Whether incoming tokens must carry a valid signature; unsigned or tampered ones are then rejected (counted as
    /// <see cref="RywTokenRejection.BadSignature"/>) and reads wait for the primary's current position instead.
    /// With keys but without this, unsigned tokens are accepted and tampered ones rejected.
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool RequireSignedTokens { get; set; }

    /// <summary>
    /// The longest a replica may take to answer one command (or a probe with its read) before the read moves on to
    /// another server: a hung replica must not hold a read for StackExchange.Redis's own multi-second timeout.
    /// <value>Default: 250 ms.</value>
    /// </summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a replica's probed position is trusted for the no-extra-command fast path before it is probed again.
    /// A replica can change replication history without our connection noticing (a failover, its primary
    /// restarting); bounding the trust bounds how long a read could rely on a history that no longer holds.
    /// <value>Default: 1 second.</value>
    /// </summary>
    public TimeSpan KnownPositionLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The upper bound accepted for <see cref="WaitBudget"/>: a read must never wait longer.</summary>
    public static TimeSpan MaxWaitBudget { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Lists what is wrong with these options; empty when they are valid.</summary>
    /// <returns>One message per problem.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Mode))
        {
            errors.Add($"{nameof(Mode)} '{Mode}' is not a known mode.");
        }

        if (WaitBudget < TimeSpan.Zero || WaitBudget > MaxWaitBudget)
        {
            errors.Add($"{nameof(WaitBudget)} must be between 0 and {MaxWaitBudget.TotalSeconds} s; it is {WaitBudget}.");
        }

        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            errors.Add($"{nameof(InitialBackoff)} must be positive and not above {nameof(MaxBackoff)} ({InitialBackoff} / {MaxBackoff}).");
        }

        if (Mode == RywMode.Window && (Window <= TimeSpan.Zero || Window > TimeSpan.FromHours(1)))
        {
            errors.Add($"{nameof(Window)} must be above 0 and at most 1 hour in window mode; it is {Window}.");
        }

        if (Replicas.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{nameof(Replicas)} contains an empty configuration string.");
        }

        if (RequireSignedTokens && SigningKeys.Count == 0)
        {
            errors.Add($"{nameof(RequireSignedTokens)} needs at least one key in {nameof(SigningKeys)}.");
        }

        if (SigningKeys.Any(k => k is null || k.Length < RywTokenSigner.MinKeyLength))
        {
            errors.Add($"Every signing key must be at least {RywTokenSigner.MinKeyLength} bytes.");
        }

        if (ReplicaTimeout <= TimeSpan.Zero || ReplicaTimeout > MaxWaitBudget)
        {
            errors.Add($"{nameof(ReplicaTimeout)} must be above 0 and at most {MaxWaitBudget.TotalSeconds} s; it is {ReplicaTimeout}.");
        }

        if (KnownPositionLifetime < TimeSpan.Zero || KnownPositionLifetime > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{nameof(KnownPositionLifetime)} must be between 0 and 5 minutes; it is {KnownPositionLifetime}.");
        }

        if (TimeProvider is null)
        {
            errors.Add($"{nameof(TimeProvider)} is required.");
        }

        errors.AddRange(Topology.Validate().Select(static e => $"{nameof(Topology)}: {e}"));
        return errors;
    }
}
