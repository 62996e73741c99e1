using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.Cli.Infrastructure;
using ServerlessRyw.Cli.Statistics;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Probe;

/// <summary>Connects to a primary and its replicas the way an application would (no admin mode) and checks what token mode needs.</summary>
internal sealed class ProbeRunner(ProbeSettings settings, Progress progress)
{
    /// <summary>Probe keys live this long even if the run is killed before it deletes them.</summary>
    public static readonly TimeSpan ProbeKeyExpiry = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan SampleSpacing = TimeSpan.FromMilliseconds(20);

    public async Task<ProbeFindings> RunAsync(CancellationToken cancellationToken)
    {
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            progress.Update("Connecting to " + settings.Primary + "…");
            var primary = await RedisConnections.ConnectAsync(settings.Primary).ConfigureAwait(false);
            connections.Add(primary);
            var replicas = new List<ConnectionMultiplexer>();
            foreach (var configuration in settings.Replicas)
            {
                progress.Update("Connecting to " + configuration + "…");
                var replica = await RedisConnections.ConnectAsync(configuration).ConfigureAwait(false);
                connections.Add(replica);
                replicas.Add(replica);
            }

            progress.Update("Reading replication offsets…");
            var primaryFindings = await InspectAsync(primary, isPrimary: true, cancellationToken).ConfigureAwait(false);
            var replicaFindings = new List<ServerFindings>();
            foreach (var replica in replicas)
            {
                replicaFindings.Add(await InspectAsync(replica, isPrimary: false, cancellationToken).ConfigureAwait(false));
            }

            var lags = new List<ReplicaLag>();
            for (var i = 0; i < replicas.Count; i++)
            {
                progress.Update(Format($"Measuring lag of {Name(replicas[i])} ({settings.Samples} samples)…"));
                lags.Add(await MeasureLagAsync(primary, replicas[i], i, cancellationToken).ConfigureAwait(false));
            }

            progress.Clear();
            return new ProbeFindings(primaryFindings, replicaFindings, lags, settings.MeasureVisibility && replicas.Count > 0);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
                connection.Dispose();
            }
        }
    }

    /// <summary>A server error without the echo of the command (Redis quotes the whole script back).</summary>
    internal static string Brief(string message)
    {
        var end = message.IndexOf(", with args beginning with", StringComparison.Ordinal);
        var text = (end > 0 ? message[..end] : message).Split('\n')[0].Trim();
        return text.Length <= 120 ? text : text[..119] + "…";
    }

    private static string Name(ConnectionMultiplexer connection) =>
        connection.GetEndPoints().FirstOrDefault()?.ToString() ?? "redis";

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task<ServerFindings> InspectAsync(ConnectionMultiplexer connection, bool isPrimary, CancellationToken cancellationToken)
    {
        var database = connection.GetDatabase();
        ReplicationView? status = null;
        string? probeError = null;
        try
        {
            status = await RywDiagnostics.ProbeReplicationAsync(database, cancellationToken).ConfigureAwait(false) is { } answer
                ? ReplicationView.From(answer)
                : null;
            probeError = status is null ? "the reply was not a replication position (a proxy in the way?)" : null;
        }
        catch (RedisException exception)
        {
            probeError = Brief(exception.Message);
        }

        return new ServerFindings(Name(connection), isPrimary, status, probeError, await TryRoleAsync(database).ConfigureAwait(false));
    }

    /// <summary>ROLE is sent as a raw command: StackExchange.Redis 1.x has no wrapper for it, and managed services often rename or block it.</summary>
    private static async Task<RoleFindings> TryRoleAsync(IDatabase database)
    {
        try
        {
            var reply = (RedisResult[]?)await database.ExecuteAsync("ROLE").ConfigureAwait(false);
            if (reply is not { Length: > 1 })
            {
                return new RoleFindings(false, null, null, "unexpected reply");
            }

            var role = (string?)reply[0];
            long? offset = role switch
            {
                "master" => (long)reply[1],
                "slave" when reply.Length > 4 => (long)reply[4],
                _ => null,
            };
            return new RoleFindings(true, role, offset, null);
        }
        catch (RedisException exception)
        {
            return new RoleFindings(false, null, null, Brief(exception.Message));
        }
    }

    private async Task<ReplicaLag> MeasureLagAsync(
        ConnectionMultiplexer primaryConnection, ConnectionMultiplexer replicaConnection, int replicaIndex, CancellationToken cancellationToken)
    {
        var primary = primaryConnection.GetDatabase();
        var replica = replicaConnection.GetDatabase();
        var bytesBehind = new List<long>();
        var visibleAfter = new List<double>();
        var roundTrips = new List<double>();
        var timeouts = 0;
        var runId = Guid.NewGuid().ToString("N")[..12];
        var written = new List<RedisKey>();
        try
        {
            // Sample -1 warms up connections and code paths and is not recorded.
            for (var sample = -1; sample < settings.Samples; sample++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var record = sample >= 0;
                if (await SampleBytesBehindAsync(primary, replica, cancellationToken).ConfigureAwait(false) is long bytes && record)
                {
                    bytesBehind.Add(bytes);
                }

                var started = Stopwatch.GetTimestamp();
                await replica.PingAsync().ConfigureAwait(false);
                if (record)
                {
                    roundTrips.Add(Stopwatches.ElapsedMs(started));
                }

                if (settings.MeasureVisibility)
                {
                    RedisKey key = Format($"ryw:probe:{runId}:{replicaIndex}:{sample + 1}");
                    RedisValue value = Format($"{runId}-{sample + 1}");
                    written.Add(key);
                    var visible = await TimeVisibilityAsync(primary, replica, key, value, cancellationToken).ConfigureAwait(false);
                    if (record && visible is double ms)
                    {
                        visibleAfter.Add(ms);
                    }
                    else if (record)
                    {
                        timeouts++;
                    }
                }

                await Task.Delay(SampleSpacing, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (written.Count > 0)
            {
                await primary.KeyDeleteAsync([.. written]).ConfigureAwait(false);
            }
        }

        roundTrips.Sort();
        var roundTrip = Percentiles.NearestRank(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(roundTrips), 50);
        return new ReplicaLag(Name(replicaConnection), bytesBehind, visibleAfter, timeouts, roundTrip);
    }

    /// <summary>Both offsets read at once; the difference is what the replica still has to apply.</summary>
    private static async Task<long?> SampleBytesBehindAsync(IDatabase primary, IDatabase replica, CancellationToken cancellationToken)
    {
        try
        {
            var onPrimary = RywDiagnostics.ProbeReplicationAsync(primary, cancellationToken);
            var onReplica = RywDiagnostics.ProbeReplicationAsync(replica, cancellationToken);
            if (await onPrimary.ConfigureAwait(false) is { } p && await onReplica.ConfigureAwait(false) is { } r && r.ReplicationId == p.ReplicationId)
            {
                return Math.Max(0, p.Offset - r.Offset);
            }
        }
        catch (RedisException)
        {
            // Reported once by InspectAsync; the byte lag is then simply unknown.
        }

        return null;
    }

    /// <returns>Milliseconds from the primary's acknowledgement to the first replica GET that saw the value, or null on timeout.</returns>
    private async Task<double?> TimeVisibilityAsync(IDatabase primary, IDatabase replica, RedisKey key, RedisValue value, CancellationToken cancellationToken)
    {
        await primary.StringSetAsync(key, value, ProbeKeyExpiry).ConfigureAwait(false);
        var acknowledged = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(acknowledged) < settings.VisibilityTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await replica.StringGetAsync(key).ConfigureAwait(false) == value)
            {
                return Stopwatches.ElapsedMs(acknowledged);
            }
        }

        return null;
    }
}
