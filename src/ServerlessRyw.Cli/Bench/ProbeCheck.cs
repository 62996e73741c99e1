using ServerlessRyw.LocalRedis;
using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// What the order-proof design needs of a probe, asked of the live servers rather than assumed: a cheaper variant
/// only counts if the engine could actually send it in place of today's.
/// </summary>
/// <param name="GivesToken">The reply holds a replication id and offset the engine's own parser accepts.</param>
/// <param name="MultiRefusal">What the replica answered when the command ran inside <c>MULTI</c> before a read; null when it ran.</param>
/// <param name="NeedsAdminMode">StackExchange.Redis refuses the command on a connection without admin mode.</param>
/// <param name="HeldByWritePause">It did not answer within <see cref="PauseDeadline"/> under <c>CLIENT PAUSE … WRITE</c> (what <c>FAILOVER</c> applies).</param>
/// <param name="FlushRefusal">What the replica answered after <c>SCRIPT FLUSH</c> (a restart, a resync); null when it still worked.</param>
internal sealed record ProbeCheck(bool GivesToken, string? MultiRefusal, bool NeedsAdminMode, bool HeldByWritePause, string? FlushRefusal)
{
    /// <summary>
    /// How long a paused command is given before it counts as held: generous, because a held one waits for the
    /// unpause whatever the deadline, and only a stalled machine could make one that is not look held.
    /// </summary>
    public static readonly TimeSpan PauseDeadline = TimeSpan.FromSeconds(1);

    /// <summary>Usable in place of today's probe with no other engine change.</summary>
    public bool IsDropIn => GivesToken && MultiRefusal is null && !NeedsAdminMode && !HeldByWritePause && FlushRefusal is null;

    /// <summary>Usable if the engine also answered <c>NOSCRIPT</c> with <c>SCRIPT LOAD</c> and a retry.</summary>
    public bool IsDropInWithScriptReload => GivesToken && MultiRefusal is null && !NeedsAdminMode && !HeldByWritePause;

    /// <summary>Why it is or is not usable as the probe, in a few words for the table.</summary>
    public string Verdict => (GivesToken, MultiRefusal, NeedsAdminMode, HeldByWritePause, FlushRefusal) switch
    {
        (false, _, _, _, _) => "no: no replication id in the reply",
        (_, { } refusal, _, _, _) => "no: refused in MULTI (" + refusal + ")",
        (_, _, true, _, _) => "no: needs admin mode on the application's connection",
        (_, _, _, true, _) => "no: held by a write pause",
        (_, _, _, _, { }) => "only with SCRIPT LOAD + retry on NOSCRIPT",
        _ => "yes",
    };

    /// <summary>Runs every check of <paramref name="variant"/>; the servers' scripts are loaded again afterwards.</summary>
    public static async Task<ProbeCheck> RunAsync(
        ProbeVariant variant, ProbeCostServer replica, ProbeCostServer primary, IReadOnlyList<string> scripts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(scripts);
        var reply = await ProbeCostServer.Bounded(variant.SendAsync(replica.Admin), cancellationToken).ConfigureAwait(false);
        var multiRefusal = variant.IsUnit ? null : await RefusalInMultiAsync(variant, replica, cancellationToken).ConfigureAwait(false);
        var needsAdmin = await NeedsAdminModeAsync(variant, replica, cancellationToken).ConfigureAwait(false);
        var held = await IsHeldByWritePauseAsync(variant, primary, cancellationToken).ConfigureAwait(false);
        var flushRefusal = await RefusalAfterFlushAsync(variant, replica, cancellationToken).ConfigureAwait(false);
        foreach (var script in scripts)
        {
            _ = await replica.LoadScriptAsync(script, cancellationToken).ConfigureAwait(false);
        }

        return new ProbeCheck(HoldsToken(reply), multiRefusal, needsAdmin, held, flushRefusal);
    }

    /// <summary>Asks Lua for <c>ROLE</c> and returns what the server says (its error text, or that it answered).</summary>
    public static async Task<string> RoleFromLuaAsync(ProbeCostServer replica, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replica);
        try
        {
            var reply = await ProbeCostServer.Bounded(replica.Admin.ExecuteAsync("EVAL", ProbeVariants.RoleScript, 0), cancellationToken).ConfigureAwait(false);
            return "answered: " + reply;
        }
        catch (RedisServerException refused)
        {
            return "refused: " + refused.Message;
        }
    }

    /// <summary>Judged by the engine's parser, so "gives a token" means exactly what the engine would accept.</summary>
    internal static bool HoldsToken(RedisResult reply)
    {
        if (ReplicationProbe.Parse(reply) is not null)
        {
            return true;
        }

        try
        {
            return (string?[]?)reply is { } fields && ReplicationProbe.Parse(fields) is not null;
        }
        catch (InvalidCastException)
        {
            // Nested arrays (ROLE on a primary lists its replicas): not the five fields.
            return false;
        }
    }

    private static async Task<string?> RefusalInMultiAsync(ProbeVariant variant, ProbeCostServer replica, CancellationToken cancellationToken)
    {
        var unit = variant with { UnitReadKey = ProbeCostBench.ReadKey };
        try
        {
            _ = await ProbeCostServer.Bounded(unit.SendAsync(replica.Admin), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RedisServerException refused)
        {
            return refused.Message;
        }
    }

    private static async Task<bool> NeedsAdminModeAsync(ProbeVariant variant, ProbeCostServer replica, CancellationToken cancellationToken)
    {
        try
        {
            _ = await ProbeCostServer.Bounded(variant.SendAsync(replica.Plain), cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (RedisCommandException refused) when (refused.Message.Contains("admin mode", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
    }

    private static async Task<bool> IsHeldByWritePauseAsync(ProbeVariant variant, ProbeCostServer primary, CancellationToken cancellationToken)
    {
        // Paused and unpaused over separate raw connections: the pause must not depend on the connection under test.
        // Its own timeout ends it even if the unpause never arrives.
        _ = await RespClient.ExecuteAsync(primary.EndPoint, ["CLIENT", "PAUSE", "5000", "WRITE"], cancellationToken).ConfigureAwait(false);
        var sending = variant.SendAsync(primary.Admin);
        try
        {
            _ = await sending.WaitAsync(PauseDeadline, cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
        finally
        {
            _ = await RespClient.ExecuteAsync(primary.EndPoint, ["CLIENT", "UNPAUSE"], cancellationToken).ConfigureAwait(false);

            // A held command runs once unpaused; it must be answered before the connection is measured on.
            _ = await ProbeCostServer.Bounded(sending, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string?> RefusalAfterFlushAsync(ProbeVariant variant, ProbeCostServer replica, CancellationToken cancellationToken)
    {
        _ = await replica.ExecuteAsync("SCRIPT", ["FLUSH"], cancellationToken).ConfigureAwait(false);
        try
        {
            _ = await ProbeCostServer.Bounded(variant.SendAsync(replica.Admin), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RedisServerException refused)
        {
            return refused.Message;
        }
    }
}
