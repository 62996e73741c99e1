namespace ServerlessRyw.Propagation;

/// <summary>What a <see cref="RywPropagator"/> reads and writes besides the <see cref="RywHeaderNames.Token"/> field.</summary>
public sealed class RywPropagatorOptions
{
    /// <summary>
    /// Whether the token also travels as the <see cref="RywHeaderNames.BaggageKey"/> entry of the W3C
    /// <see cref="RywHeaderNames.Baggage"/> field: <see cref="RywPropagator.Extract{T}"/> reads it and
    /// <see cref="RywPropagator.InjectBaggage{T}"/> writes it, keeping every other baggage entry.
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    /// <remarks>
    /// Turn it on when a hop you do not control (a gateway, a service in another language) forwards W3C baggage but
    /// drops unknown headers. Baggage is as untrusted as any header: the session checks the token the same way.
    /// </remarks>
    public bool Baggage { get; set; }
}
