using ServerlessRyw.Propagation;

namespace ServerlessRyw.AspNetCore;

/// <summary>How <see cref="Microsoft.AspNetCore.Builder.RywApplicationBuilderExtensions.UseReadYourWrites(Microsoft.AspNetCore.Builder.IApplicationBuilder, Action{RywAspNetCoreOptions})"/> carries the token.</summary>
public sealed class RywAspNetCoreOptions
{
    /// <summary>
    /// Whether the <see cref="RywHeaderNames.BaggageKey"/> entry of an incoming W3C <c>baggage</c> header is read too
    /// (merged with the <see cref="RywHeaderNames.Token"/> header by taking the maximum).
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool Baggage { get; set; }

    /// <summary>
    /// Whether every response carries the session's newest token in the <see cref="RywHeaderNames.Token"/> header,
    /// set just before the response starts. <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool StampResponses { get; set; } = true;
}
