namespace ServerlessRyw.Docs.Tests.Snippets;

/// <summary>README.md, quick start. Compiled, never called.</summary>
internal static class QuickStartSnippets
{
    public static async Task WithoutDependencyInjection(string incomingTokenText)
    {
        #region WithoutDependencyInjection
        using var client = await RywClient.ConnectAsync(new RywOptions { Primary = "primary:6379", Replicas = { "replica-1:6379" } });
        var session = client.CreateSession(incomingTokenText);   // one per invocation; bad text is counted, never thrown
        #endregion
    }
}
