using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ServerlessRyw.Routing;

/// <summary>
/// The toolkit's own connection to the application's current primary, used for primary probes only. Redis serves one
/// connection's commands in order, and a write held by <c>CLIENT PAUSE … WRITE</c> (which Redis applies itself during
/// <c>FAILOVER</c> and a lagging <c>SHUTDOWN</c>) holds every command queued behind it on that connection, the
/// no-writes probe included; on a connection with nothing queued the server answers the probe at once.
/// </summary>
/// <remarks>
/// <para>A capture is correct when the server that answered the write answers the probe, after that reply. Two rules
/// make this connection reach that server or not be used at all (the caller then probes over the application's
/// connection, as it does before this connection is up):</para>
/// <list type="bullet">
/// <item>The endpoint is the only connected server the application's connection sees as a primary, asked after the
/// write was answered; with none or several (mid-failover) it is not used.</item>
/// <item>Its answer counts only from a primary of the history the application's connection last reported. A primary
/// that changed history (a promoted replica) is believed only once the application's own connection has seen it.</item>
/// </list>
/// <para>One per application connection, shared by every client over it, so a process holds one extra connection to
/// the primary however many clients it builds; closed with the last of them.</para>
/// </remarks>
internal sealed class PrimaryProbeConnection
{
    private static readonly Dictionary<IConnectionMultiplexer, PrimaryProbeConnection> Shared = new(ReferenceEqualityComparer.Instance);
    private static readonly Lock SharedGate = new();

    private readonly IConnectionMultiplexer _application;
    private readonly Func<EndPoint, ConfigurationOptions> _configure;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private ProbeLine? _line;

    private const int RecheckMilliseconds = 100;

    // Mid-failover, the newest of the primaries the application's connection sees; null otherwise.
    private EndPoint? _newest;
    private bool _several;
    private long _checkedAt = long.MinValue / 2;
    private int _users;

    private PrimaryProbeConnection(IConnectionMultiplexer application, Func<EndPoint, ConfigurationOptions> configure, ILogger logger)
    {
        _application = application;
        _configure = configure;
        _logger = logger;
    }

    /// <summary>The probe connection for <paramref name="application"/>, shared; give it back with <see cref="Release"/>.</summary>
    public static PrimaryProbeConnection Acquire(IConnectionMultiplexer application, Func<EndPoint, ConfigurationOptions> configure, ILogger logger)
    {
        PrimaryProbeConnection? shared;
        lock (SharedGate)
        {
            if (!Shared.TryGetValue(application, out shared))
            {
                Shared[application] = shared = new PrimaryProbeConnection(application, configure, logger);
            }

            shared._users++;
        }

        // Opened now, in the background, so it is up by the time a paused write could hold the application's connection.
        if (shared.ConnectedPrimaries().Single is { } endPoint)
        {
            _ = shared.LineTo(endPoint);
        }

        return shared;
    }

    /// <summary>Gives back one <see cref="Acquire"/>; the last one closes the connection.</summary>
    public void Release()
    {
        ProbeLine? closing;
        lock (SharedGate)
        {
            if (--_users > 0)
            {
                return;
            }

            Shared.Remove(_application);
            lock (_gate)
            {
                closing = _line;
                _line = null;
            }
        }

        closing?.Close();
    }

    /// <summary>Whether the connection is up (to the endpoint the application last saw as its primary).</summary>
    public bool IsConnected => Volatile.Read(ref _line)?.Database is not null;

    /// <summary>
    /// Probes the application's current primary: over this connection when there is one connected primary, over the
    /// application's connection to each primary mid-failover (see <see cref="NewestPrimary"/>).
    /// </summary>
    /// <param name="script">The probe script that server understands.</param>
    /// <param name="history">The history the application's connection last reported for the primary.</param>
    /// <returns>
    /// Decided: the position to use (<see langword="null"/> when mid-failover no newest primary answered: unknown).
    /// Not decided: this connection cannot answer for the application's primary now (not connected yet, no primary,
    /// another history, a failure), so probe over the application's connection.
    /// </returns>
    public async Task<(bool Decided, ReplicationState? State)> ProbeAsync(ProbeScript script, string? history)
    {
        var (single, several, _) = ConnectedPrimaries();
        if (several is not null)
        {
            var newest = await NewestPrimary.ProbeAsync(several, script).ConfigureAwait(false);
            Volatile.Write(ref _newest, newest?.EndPoint);
            if (newest is { EndPoint: var endPoint })
            {
                _ = LineTo(endPoint); // opened now, for the reads that must go to that primary
            }

            return (true, newest?.State);
        }

        Volatile.Write(ref _newest, null);
        if (history is null || single is null || LineTo(single) is not { } database)
        {
            return (false, null);
        }

        return await ProbeAsync(database, script, history).ConfigureAwait(false) is { } state ? (true, state) : (false, null);
    }

    /// <summary>
    /// Where a read that needs the primary goes mid-failover: this connection, once it is up to the newest primary (the
    /// application's connection may send it to the old one). <see langword="null"/> otherwise: use the application's.
    /// </summary>
    /// <param name="script">The probe script, for finding the newest primary when no probe has yet.</param>
    /// <param name="deadlines">Bounds finding it and connecting to it.</param>
    /// <param name="timeout">How long that may take; then the application's connection.</param>
    public async ValueTask<IDatabase?> DatabaseForPrimaryReadAsync(ProbeScript script, DeadlineWheel deadlines, TimeSpan timeout)
    {
        if (!SeesSeveralPrimaries())
        {
            return null;
        }

        try
        {
            return await deadlines.WaitAsync(NewestPrimaryDatabaseAsync(script), timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task<IDatabase?> NewestPrimaryDatabaseAsync(ProbeScript script)
    {
        var newest = Volatile.Read(ref _newest);
        if (newest is null)
        {
            if (ConnectedPrimaries().Several is not { } several || await NewestPrimary.ProbeAsync(several, script).ConfigureAwait(false) is not { } found)
            {
                return null;
            }

            Volatile.Write(ref _newest, newest = found.EndPoint);
        }

        _ = LineTo(newest); // opens it if no capture did
        var line = Volatile.Read(ref _line);
        if (line is null || !line.EndPoint.Equals(newest))
        {
            return null;
        }

        return await line.Connected.ConfigureAwait(false) is { IsConnected: true } connection ? connection.GetDatabase() : null;
    }

    /// <summary>
    /// Whether the application's connection sees several primaries, looked at most every
    /// <see cref="RecheckMilliseconds"/> (a primary read in <see cref="RywMode.PrimaryOnly"/> must not list the servers every time).
    /// </summary>
    private bool SeesSeveralPrimaries()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _checkedAt) >= RecheckMilliseconds)
        {
            var several = ConnectedPrimaries().Several is not null;
            if (!several)
            {
                Volatile.Write(ref _newest, null); // a newest primary of an earlier failover is not this one's
            }

            Volatile.Write(ref _several, several);
            Volatile.Write(ref _checkedAt, now);
        }

        return Volatile.Read(ref _several);
    }

    private static async Task<ReplicationState?> ProbeAsync(IDatabase database, ProbeScript script, string history)
    {
        try
        {
            return await ReplicationProbe.ProbeAsync(database, script).ConfigureAwait(false) is { IsPrimary: true } state
                && string.Equals(state.ReplicationId, history, StringComparison.Ordinal)
                ? state
                : null;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Expected while the primary moves or this connection reconnects; the application's connection answers.
            return null;
        }
    }

    /// <summary>
    /// Whether the application's connection would send a read meant for the primary to a replica (it sees connected
    /// replicas and no connected primary): the toolkit cannot add DemandMaster to the commands of a read delegate.
    /// </summary>
    public bool SeesOnlyReplicas() => ConnectedPrimaries() is (null, null, true);

    /// <summary>
    /// The connected servers the application's connection sees as primaries (one, or several mid-failover), and whether
    /// it sees a connected replica.
    /// </summary>
    private (EndPoint? Single, IServer[]? Several, bool AnyReplica) ConnectedPrimaries()
    {
        IServer? first = null;
        List<IServer>? several = null;
        var anyReplica = false;
        foreach (var server in _application.GetServers())
        {
            if (!server.IsConnected)
            {
                continue;
            }

            if (server.IsReplica)
            {
                anyReplica = true;
            }
            else if (first is null)
            {
                first = server;
            }
            else
            {
                (several ??= [first]).Add(server);
            }
        }

        return several is not null ? (null, several.ToArray(), anyReplica) : (first?.EndPoint, null, anyReplica);
    }

    /// <summary>The connection's database once it is connected to <paramref name="endPoint"/>; opens it on first use.</summary>
    private IDatabase? LineTo(EndPoint endPoint)
    {
        var line = Volatile.Read(ref _line);
        if (line is null || !line.EndPoint.Equals(endPoint))
        {
            line = Replace(line, endPoint);
        }

        return line?.Database;
    }

    private ProbeLine? Replace(ProbeLine? seen, EndPoint endPoint)
    {
        ProbeLine? replaced;
        ProbeLine? line;
        lock (_gate)
        {
            if (_users == 0)
            {
                return null; // released: opening one now would leak it
            }

            if (!ReferenceEquals(_line, seen))
            {
                return _line;
            }

            replaced = _line;
            _line = line = new ProbeLine(endPoint, _configure(endPoint), _logger);
        }

        replaced?.Close();
        return line;
    }
}
