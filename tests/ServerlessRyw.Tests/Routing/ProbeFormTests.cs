using ServerlessRyw.LocalRedis;
using ServerlessRyw.Routing;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ServerlessRyw.Tests.Routing;

/// <summary>Which form a replica's probe takes on the wire, and what happens when the server refuses it.</summary>
[Collection(RedisServerTests.Name)]
public sealed class ProbeFormTests(ReplicaSetFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task ReadAsync_ProbedRead_SendsInfoItselfWhereTheClientMayElseTheScript()
    {
        await servers.SetLagAsync(TimeSpan.Zero);
        var replicaConnection = servers.Connect(servers.PromptReplicaEndPoint);
        using var client = new RywClient(servers.Connect(servers.PrimaryEndPoint), [replicaConnection]);
        RedisKey key = $"form:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        await servers.Servers.WaitForReplicasInSyncAsync();
        var sendsInfo = ProbeScript.ForReplication(replicaConnection).SendsInfo;

        var before = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);
        var value = await client.CreateSession(writer.Token).ReadAsync(db => db.StringGetAsync(key));
        var after = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);

        var scripts = CommandStats.Delta(before, after, "eval") + CommandStats.Delta(before, after, "evalsha");
        var infos = CommandStats.Delta(before, after, "info") - 1;
        output.WriteLine($"StackExchange.Redis {typeof(IConnectionMultiplexer).Assembly.GetName().Version}: sends INFO itself {sendsInfo}; replica saw info +{infos}, scripts +{scripts}; {client.Statistics}");
        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[RywReadOutcome.ProbedHit]);
        Assert.Equal(typeof(IConnectionMultiplexer).Assembly.GetName().Version!.Major < 3, sendsInfo);
        Assert.Equal(sendsInfo ? (1, 0) : (1, 1), (infos, scripts)); // a script's own INFO call counts as an INFO
    }

    [Fact]
    public async Task ReadAsync_ClientRefusesToSendInfo_FallsBackToTheScriptAndStaysFresh()
    {
        await servers.SetLagAsync(TimeSpan.Zero);

        // Admin mode on, so the client is expected to send INFO, but a command map without it: StackExchange.Redis
        // refuses the command as it is queued, and the probe must go as the script instead, in the same transaction.
        var options = ConfigurationOptions.Parse(servers.PromptReplicaEndPoint);
        options.AllowAdmin = true;
        options.CommandMap = CommandMap.Create(new HashSet<string> { "INFO" }, available: false);
        options.ConfigCheckSeconds = 3600; // server-side command counts must come from the test alone
        using var replicaConnection = await ConnectionMultiplexer.ConnectAsync(options);
        using var client = new RywClient(servers.Connect(servers.PrimaryEndPoint), [replicaConnection]);
        var replica = client.ReplicaNodes[0];
        Assert.True(replica.Script.SendsInfo);
        RedisKey key = $"nocommand:{Guid.NewGuid():N}";
        var writer = client.CreateSession();
        await writer.WriteAsync(db => db.StringSetAsync(key, "fresh"));
        await servers.Servers.WaitForReplicasInSyncAsync();

        var before = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);
        var value = await client.CreateSession(writer.Token).ReadAsync(db => db.StringGetAsync(key));
        var after = await CommandStats.ReadAsync(servers.PromptReplicaEndPoint);

        var scripts = CommandStats.Delta(before, after, "eval");
        var infos = CommandStats.Delta(before, after, "info") - 1;
        output.WriteLine($"sends INFO itself afterwards {replica.Script.SendsInfo}; replica saw info +{infos}, scripts +{scripts}; {client.Statistics}");
        Assert.Equal("fresh", value);
        Assert.Equal(1, client.Statistics[RywReadOutcome.ProbedHit]);
        Assert.Equal(0, client.Statistics.ProbeFailures);
        Assert.False(replica.Script.SendsInfo);
        Assert.Equal(1, scripts);
    }
}
