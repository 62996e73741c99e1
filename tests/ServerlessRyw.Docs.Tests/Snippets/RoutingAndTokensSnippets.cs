using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessRyw.Docs.Tests.Snippets;

/// <summary>docs/routing-and-tokens.md. Compiled, never called.</summary>
internal static class RoutingAndTokensSnippets
{
    public static void SignedTokens(WebApplicationBuilder builder, byte[] newKey, byte[] previousKey)
    {
        #region SignedTokens
        builder.Services.AddReadYourWrites(o =>
        {
            o.SigningKeys.Add(newKey);        // signs; at least 16 bytes, from your secret store
            o.SigningKeys.Add(previousKey);   // still verifies during a rotation; remove it once old tokens have expired
            o.RequireSignedTokens = true;     // unsigned tokens are rejected too
        });
        #endregion
    }
}
