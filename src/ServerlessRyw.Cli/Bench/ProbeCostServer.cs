using System.Globalization;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.LocalRedis;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// One server under measurement, with two connections: an admin one (the measurement itself, <c>CONFIG RESETSTAT</c>,
/// <c>INFO</c>, <c>ROLE</c>: admin mode is a client-side gate only, the server's work is the same), and the bench's
/// ordinary one, which shows what an application's connection, without admin mode, may send.
/// </summary>
internal sealed class ProbeCostServer : IAsyncDisposable
{
    /// <summary>The deadline of every call: a wedged server fails the run instead of hanging it.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly ConnectionMultiplexer _adminConnection;
    private readonly IServer _adminServer;

    private ProbeCostServer(string name, string endPoint, ConnectionMultiplexer adminConnection, IConnectionMultiplexer plainConnection)
    {
        Name = name;
        EndPoint = endPoint;
        _adminConnection = adminConnection;
        _adminServer = adminConnection.GetServer(endPoint);
        Admin = adminConnection.GetDatabase();
        Plain = plainConnection.GetDatabase();
    }

    /// <summary><c>replica</c> or <c>primary</c>.</summary>
    public string Name { get; }

    public string EndPoint { get; }

    /// <summary>The database the variants are measured on (admin mode, this server only).</summary>
    public IDatabase Admin { get; }

    /// <summary>The same server without admin mode, as an application connects.</summary>
    public IDatabase Plain { get; }

    /// <param name="plainConnection">The bench's own connection to this server (not owned).</param>
    public static async Task<ProbeCostServer> ConnectAsync(string name, string endPoint, IConnectionMultiplexer plainConnection)
    {
        var admin = await RedisConnections.ConnectAsync(endPoint + ",allowAdmin=true", CallTimeout).ConfigureAwait(false);
        return new ProbeCostServer(name, endPoint, admin, plainConnection);
    }

    /// <summary>Bounds <paramref name="call"/> by <see cref="CallTimeout"/> and the run's cancellation.</summary>
    public static Task<T> Bounded<T>(Task<T> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.WaitAsync(CallTimeout, cancellationToken);
    }

    /// <summary>Runs an admin command on this server, bounded.</summary>
    public Task<RedisResult> ExecuteAsync(string command, object[] args, CancellationToken cancellationToken) =>
        Bounded(_adminServer.ExecuteAsync(command, args), cancellationToken);

    /// <summary>Loads <paramref name="script"/> into this server's script cache.</summary>
    /// <returns>Its SHA1, as the server computed it.</returns>
    public async Task<string> LoadScriptAsync(string script, CancellationToken cancellationToken) =>
        (string?)await ExecuteAsync("SCRIPT", ["LOAD", script], cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{Name}: SCRIPT LOAD answered nil.");

    /// <summary>
    /// Zeroes the server's command statistics, so the next <see cref="ReadCommandStatsAsync"/> holds nothing but
    /// what ran in between (the reading <c>INFO</c> is counted only after it has answered).
    /// </summary>
    public Task ResetCommandStatsAsync(CancellationToken cancellationToken) => ExecuteAsync("CONFIG", ["RESETSTAT"], cancellationToken);

    public async Task<IReadOnlyDictionary<string, CommandStat>> ReadCommandStatsAsync(CancellationToken cancellationToken) =>
        CommandStat.ParseAll((string?)await ExecuteAsync("INFO", ["commandstats"], cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The server process's CPU time so far (user + system, <c>INFO cpu</c>): unlike commandstats it includes reading,
    /// parsing and answering each message, which is what a probe costs the machine.
    /// </summary>
    public async Task<double> ReadCpuSecondsAsync(CancellationToken cancellationToken)
    {
        var fields = RedisInfo.Parse((string?)await ExecuteAsync("INFO", ["cpu"], cancellationToken).ConfigureAwait(false));
        return Seconds(fields, "used_cpu_user") + Seconds(fields, "used_cpu_sys");
    }

    public async ValueTask DisposeAsync()
    {
        await _adminConnection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        _adminConnection.Dispose();
    }

    private double Seconds(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : throw new InvalidOperationException($"{Name}: INFO cpu has no {name}.");
}

/// <summary>One <c>cmdstat_…</c> line of <c>INFO commandstats</c>.</summary>
/// <param name="Calls">How many times the command ran.</param>
/// <param name="Microseconds">The server's time in it, summed; a script's or <c>EXEC</c>'s includes what it ran.</param>
internal readonly record struct CommandStat(long Calls, long Microseconds)
{
    private const string Prefix = "cmdstat_";

    /// <summary>Reads <c>cmdstat_get:calls=3,usec=5,usec_per_call=1.67,…</c> lines, by command name (<c>get</c>, <c>config|resetstat</c>).</summary>
    public static IReadOnlyDictionary<string, CommandStat> ParseAll(string? commandStats)
    {
        var stats = new Dictionary<string, CommandStat>(StringComparer.Ordinal);
        foreach (var (field, value) in RedisInfo.Parse(commandStats))
        {
            if (!field.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            long calls = -1, microseconds = -1;
            foreach (var pair in value.Split(','))
            {
                var parts = pair.Split('=', 2);
                if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    calls = parts[0] == "calls" ? number : calls;
                    microseconds = parts[0] == "usec" ? number : microseconds;
                }
            }

            if (calls >= 0 && microseconds >= 0)
            {
                stats[field[Prefix.Length..]] = new CommandStat(calls, microseconds);
            }
        }

        return stats;
    }
}
