namespace ServerlessRyw.Docs.Tests.Snippets;

/// <summary>docs/failure-behaviour.md. Compiled, never called.</summary>
internal static class FailoverSnippets
{
    public static async Task SentinelConnect()
    {
        #region SentinelConnect
        var options = new RywOptions();
        options.Topology.Sentinel = "10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379,serviceName=mymaster";
        using var client = await RywClient.ConnectAsync(options);
        #endregion
    }
}
