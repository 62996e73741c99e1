namespace ServerlessRyw.Propagation;

/// <summary>
/// The names under which the read-your-writes token travels. They are a public contract between services: every
/// hop that speaks them (this library, a gateway, a browser client, another language) interoperates.
/// </summary>
/// <remarks>
/// <para><see cref="Token"/> is one header for requests and responses. It has no <c>X-</c> prefix (RFC 6648
/// deprecates it for new headers); HTTP header names are case-insensitive and HTTP/2 and HTTP/3 send them lower-cased
/// (<c>ryw-token</c>), which every reader here accepts. Its value is the token's text form: printable ASCII without
/// spaces, commas, semicolons, quotes or backslashes, at most <see cref="RywToken.MaxLength"/> characters, so it
/// needs no quoting or encoding. Several values (repeated headers, or comma-separated values in one header) are
/// merged by taking the maximum.</para>
/// <para>Browsers only let scripts send and read it when CORS allows it: list it in
/// <c>Access-Control-Allow-Headers</c> and <c>Access-Control-Expose-Headers</c>.</para>
/// </remarks>
public static class RywHeaderNames
{
    /// <summary>The header that carries the token on requests and responses: <c>Ryw-Token</c>.</summary>
    public const string Token = "Ryw-Token";

    /// <summary>The W3C Baggage entry key under which the token may also travel: <c>ryw.token</c>.</summary>
    public const string BaggageKey = "ryw.token";

    /// <summary>The W3C Baggage header: <c>baggage</c>.</summary>
    public const string Baggage = "baggage";
}
