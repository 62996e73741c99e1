using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

/// <summary>
/// Asks a server for the replication position read-your-writes routes by, the same way the toolkit does: a
/// read-only Lua script that reads <c>INFO replication</c>, so it needs neither admin mode nor <c>ROLE</c>.
/// For tools such as <c>ryw probe</c> that check whether a Redis deployment supports token mode.
/// </summary>
public static class RywDiagnostics
{
    /// <summary>The Lua script the toolkit sends (with <c>EVAL</c>/<c>EVALSHA</c>) to read a server's replication position.</summary>
    public static string ReplicationProbeScript => ReplicationProbe.Script;

    /// <summary>Sends the toolkit's replication probe to the server behind <paramref name="database"/>.</summary>
    /// <param name="database">A connection to one server (a primary or a replica).</param>
    /// <param name="cancellationToken">Stops waiting for the reply.</param>
    /// <returns>
    /// The server's position, or <see langword="null"/> when the reply is not one the toolkit understands (for
    /// example a proxy that rewrites <c>INFO</c>): token mode cannot work against that server.
    /// </returns>
    /// <exception cref="RedisException">
    /// The server refused the script (scripting disabled, <c>INFO</c> not allowed in scripts) or could not be reached;
    /// raised exactly as StackExchange.Redis raises it.
    /// </exception>
    public static async Task<RywReplicationStatus?> ProbeReplicationAsync(
        IDatabaseAsync database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var state = await ReplicationProbe.ProbeAsync(database, ProbeScript.ForReplication()).WaitAsync(cancellationToken).ConfigureAwait(false);
        return state is null ? null : new RywReplicationStatus(state);
    }
}
