using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw.Tests.Routing;

public sealed class ProbeScriptUnitTests
{
    [Fact]
    public void FallBackIfRefused_ClientRefusesInfo_MovesToTheFlaggedScriptThenStays()
    {
        var script = new ProbeScript(ReplicationProbe.Script, ReplicationProbe.LegacyScript, sendsInfo: true);

        Assert.True(script.FallBackIfRefused(new RedisCommandException("This operation is not available unless admin mode is enabled: INFO")));

        Assert.False(script.SendsInfo);
        Assert.Equal(ReplicationProbe.Script, script.Source);
        Assert.False(script.FallBackIfRefused(new RedisCommandException("again")));
    }

    [Fact]
    public void FallBackIfRefused_ServerErrorWhileSendingInfo_KeepsInfo()
    {
        // A server that refuses INFO (an ACL, a renamed command) refuses it inside the script as well: switching buys nothing.
        var script = new ProbeScript(ReplicationProbe.Script, ReplicationProbe.LegacyScript, sendsInfo: true);

        Assert.False(script.FallBackIfRefused(ServerError("NOPERM this user has no permissions to run the 'info' command")));

        Assert.True(script.SendsInfo);
    }

    [Fact]
    public void FallBackIfRefused_ShebangRefusedWhileSendingInfo_ScriptCallsMoveToTheLegacyScript()
    {
        // IServer probes (mid-failover) send the script even on a server whose other probes send INFO itself: a server
        // before Redis 7 refusing the shebang there must still move them to the legacy script.
        var script = new ProbeScript(ReplicationProbe.Script, ReplicationProbe.LegacyScript, sendsInfo: true);

        Assert.True(script.FallBackIfRefused(ServerError("ERR Error compiling script (new function): user_script:1: unexpected symbol near '#'")));

        Assert.Equal(ReplicationProbe.LegacyScript, script.Source);
        Assert.True(script.SendsInfo);
    }

    [Fact]
    public void FallBackIfRefused_ShebangRefused_MovesToTheLegacyScript()
    {
        var script = ProbeScript.ForReplication();

        Assert.False(script.SendsInfo);
        Assert.True(script.FallBackIfRefused(ServerError("ERR Error compiling script (new function): user_script:1: unexpected symbol near '#'")));

        Assert.Equal(ReplicationProbe.LegacyScript, script.Source);
    }

    // StackExchange.Redis 3 marks the message-only constructor obsolete in favour of one 2.x lacks.
#pragma warning disable CS0618
    private static RedisServerException ServerError(string message) => new(message);
#pragma warning restore CS0618
}
