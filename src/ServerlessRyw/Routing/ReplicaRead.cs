using System.Runtime.ExceptionServices;

namespace ServerlessRyw.Routing;

/// <summary>How a probe-and-read on one replica went (both topologies).</summary>
internal enum ReplicaReadStatus
{
    /// <summary>The replica did not answer in time, or the probe failed.</summary>
    Unavailable,

    /// <summary>The read came back (a value or the delegate's own error), and the key was there when asked to check.</summary>
    Read,

    /// <summary>The replica does not have the key: a slot migration may have moved it, so the primary decides.</summary>
    Missing,

    /// <summary>The replica does not serve the key's slot (MOVED): the topology is stale.</summary>
    Redirected,
}

/// <summary>
/// A read on one replica with the probe that travelled with it. The delegate's own error is kept, not thrown:
/// on a replica that turns out to lag the error may itself be stale (WRONGTYPE for an old type).
/// </summary>
/// <typeparam name="TState">What the probe answers: <see cref="ReplicationState"/>, or <see cref="ClusterNodeState"/> in a cluster.</typeparam>
/// <typeparam name="T">What the read returns.</typeparam>
internal readonly struct ReplicaRead<TState, T>(ReplicaReadStatus status, TState? state, T? value, ExceptionDispatchInfo? error)
    where TState : class
{
    public ReplicaReadStatus Status { get; } = status;

    /// <summary>The probe's answer, when the batch carried one and it came back.</summary>
    public TState? State { get; } = state;

    /// <summary>The value, or the delegate's own error rethrown (once the replica is known to be fresh enough).</summary>
    public T Result()
    {
        error?.Throw();
        return value!;
    }
}
