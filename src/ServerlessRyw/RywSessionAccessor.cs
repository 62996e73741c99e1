namespace ServerlessRyw;

/// <summary>
/// The session of the invocation in progress, flowing with the async context, like <c>IHttpContextAccessor</c>.
/// Hosts set it when an invocation starts; outgoing carriers (an <c>HttpClient</c> handler, a queue sender) that
/// live outside the invocation's DI scope read it.
/// </summary>
public sealed class RywSessionAccessor
{
    private static readonly AsyncLocal<SessionHolder> Current = new();

    /// <summary>The current invocation's session, or <see langword="null"/> outside an invocation.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Performance", "CA1822", Justification = "An instance member so it can be injected and replaced, like IHttpContextAccessor.")]
    public RywSession? Session
    {
        get => Current.Value?.Session;
        set
        {
            // Clear the holder other async flows may still share, so a finished invocation's session cannot leak.
            if (Current.Value is { } holder)
            {
                holder.Session = null;
            }

            if (value is not null)
            {
                Current.Value = new SessionHolder { Session = value };
            }
        }
    }

    private sealed class SessionHolder
    {
        public RywSession? Session { get; set; }
    }
}
