using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Bench;

/// <summary>
/// One way to ask a server for its replication position (or the <c>GET</c> baseline), exactly as the client sends
/// it, with the <c>INFO commandstats</c> entries that one call adds at the top level.
/// </summary>
/// <param name="Name">What the table calls it.</param>
/// <param name="SentAs">The commands on the wire, for the reader.</param>
/// <param name="SentCommands">
/// The commandstats entries the client sends, each once per call. A script's or a transaction's entry already
/// includes the commands it runs (the server times the outer call around them), so only these are summed.
/// </param>
/// <param name="Command">The single command; a unit sends it inside <c>MULTI</c> before the read.</param>
internal sealed record ProbeVariant(string Name, string SentAs, IReadOnlyList<string> SentCommands, Func<IDatabaseAsync, Task<RedisResult>> Command)
{
    /// <summary>The read's key when this is the order-proof unit (<c>MULTI</c>, command, <c>GET</c>, <c>EXEC</c>).</summary>
    public RedisKey? UnitReadKey { get; init; }

    /// <summary>The probe the engine sends today (its own script and call, not a copy).</summary>
    public bool IsCurrent { get; init; }

    /// <summary>What a read costs the server: the yardstick, not a candidate.</summary>
    public bool IsBaseline { get; init; }

    public bool IsUnit => UnitReadKey is not null;

    /// <summary>Sends one call; for a unit, the probe's reply (the read's is only awaited).</summary>
    public async Task<RedisResult> SendAsync(IDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (UnitReadKey is not { } key)
        {
            return await Command(database).ConfigureAwait(false);
        }

        // The same shape as RywSession's ProbeAndReadAsync: one ITransaction, the probe queued before the read.
        var transaction = database.CreateTransaction();
        var probing = Command(transaction);
        var reading = transaction.StringGetAsync(key);
        var executing = transaction.ExecuteAsync();
        await Task.WhenAll(probing, reading, executing).ConfigureAwait(false);
        return await probing.ConfigureAwait(false);
    }
}

/// <summary>The variants <c>ryw bench --probe-cost</c> compares.</summary>
internal static class ProbeVariants
{
    /// <summary>
    /// A candidate that parses in Lua and returns only the five fields <see cref="ReplicationProbe.Parse(IReadOnlyList{string})"/>
    /// reads, instead of the whole <c>INFO replication</c> text; the engine's comments put this at ~20 µs.
    /// </summary>
    internal const string ParsingScript =
        "#!lua flags=no-writes\n"
        + "local info = redis.call('INFO', 'replication')\n"
        + "return {info:match('role:(%a+)'), info:match('master_replid:(%x+)'), info:match('master_repl_offset:(%d+)'),"
        + " info:match('master_replid2:(%x+)'), info:match('second_repl_offset:(%-?%d+)')}";

    /// <summary>Asks Lua for <c>ROLE</c>: a finding (what the server says), not a variant.</summary>
    internal const string RoleScript = "#!lua flags=no-writes\nreturn redis.call('ROLE')";

    /// <param name="readKey">The key every <c>GET</c> reads.</param>
    /// <param name="probeSha">The SHA1 of <see cref="ReplicationProbe.Script"/>, loaded on both servers.</param>
    public static IReadOnlyList<ProbeVariant> Create(RedisKey readKey, string probeSha)
    {
        var script = ProbeScript.ForReplication();
        var current = new ProbeVariant(
            "EVAL probe (script form)", "EVAL <probe> 0", ["eval"], db => ReplicationProbe.SendAsync(db, script)) { IsCurrent = true };
        var evalShaReadOnly = new ProbeVariant(
            "EVALSHA_RO probe", "EVALSHA_RO <sha> 0", ["evalsha_ro"], db => db.ExecuteAsync("EVALSHA_RO", probeSha, 0));
        var info = new ProbeVariant("INFO replication", "INFO replication", ["info"], db => db.ExecuteAsync("INFO", "replication"));
        return
        [
            new ProbeVariant("GET (baseline)", "GET k", ["get"], async db => RedisResult.Create(await db.StringGetAsync(readKey).ConfigureAwait(false)))
            {
                IsBaseline = true,
            },
            info,
            current,
            new ProbeVariant("EVALSHA probe", "EVALSHA <sha> 0", ["evalsha"], db => db.ExecuteAsync("EVALSHA", probeSha, 0)),
            new ProbeVariant("EVAL_RO probe", "EVAL_RO <probe> 0", ["eval_ro"], db => db.ExecuteAsync("EVAL_RO", ReplicationProbe.Script, 0)),
            evalShaReadOnly,
            new ProbeVariant("EVAL parse in Lua", "EVAL <parse 5 fields> 0", ["eval"], db => db.ExecuteAsync("EVAL", ParsingScript, 0)),
            new ProbeVariant("ROLE", "ROLE", ["role"], db => db.ExecuteAsync("ROLE")),
            Unit(current, readKey),
            Unit(evalShaReadOnly, readKey),
            Unit(info, readKey),
        ];
    }

    /// <summary>The name of <paramref name="probe"/>'s order-proof unit.</summary>
    public static string UnitName(ProbeVariant probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return "unit: " + probe.Name;
    }

    private static ProbeVariant Unit(ProbeVariant probe, RedisKey readKey) => probe with
    {
        Name = UnitName(probe),
        SentAs = $"MULTI, {probe.SentAs}, GET k, EXEC",
        SentCommands = ["multi", "exec"],
        UnitReadKey = readKey,
    };
}
