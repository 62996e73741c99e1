using ServerlessRyw.Propagation;

namespace ServerlessRyw.Http;

/// <summary>How a <see cref="RywTokenHandler"/> carries the token; configured per named <c>HttpClient</c>.</summary>
public sealed class RywTokenHandlerOptions
{
    /// <summary>
    /// Whether requests also carry the token as the <see cref="RywHeaderNames.BaggageKey"/> entry of the W3C
    /// <c>baggage</c> header (other entries are kept). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool Baggage { get; set; }

    /// <summary>
    /// Whether a <see cref="RywHeaderNames.Token"/> header on the response is merged back into the session, so what the
    /// callee wrote is visible to the caller's next read. <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool MergeResponseTokens { get; set; } = true;
}
