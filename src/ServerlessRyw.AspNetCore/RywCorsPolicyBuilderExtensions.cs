using ServerlessRyw;
using ServerlessRyw.AspNetCore;
using ServerlessRyw.Propagation;

namespace Microsoft.AspNetCore.Cors.Infrastructure;

/// <summary>Lets browser callers send and read the read-your-writes token across origins.</summary>
public static class RywCorsPolicyBuilderExtensions
{
    /// <summary>
    /// Adds <c>Ryw-Token</c> to the policy's exposed headers (so scripts can read it from responses) and to its allowed
    /// request headers (so scripts can send it back), unless the policy already allows any header.
    /// </summary>
    /// <param name="builder">The CORS policy being built.</param>
    /// <param name="includeBaggage">Also allow the W3C <c>baggage</c> request header, for callers that send the token as baggage.</param>
    /// <returns>The same builder.</returns>
    public static CorsPolicyBuilder WithReadYourWritesHeaders(this CorsPolicyBuilder builder, bool includeBaggage = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithExposedHeaders(RywHeaderNames.Token);

        // WithHeaders after AllowAnyHeader() would turn "any header" into a one-item list and block every other header.
        if (!AllowsAnyHeader(builder))
        {
            builder.WithHeaders(includeBaggage ? [RywHeaderNames.Token, RywHeaderNames.Baggage] : [RywHeaderNames.Token]);
        }

        return builder;
    }

    private static bool AllowsAnyHeader(CorsPolicyBuilder builder)
    {
        try
        {
            // Build() hands back the policy under construction; it only throws for a configuration that is invalid anyway.
            return builder.Build().AllowAnyHeader;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
