using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Http;

/// <summary>
/// Sends the ambient session's newest token with every request (<c>Ryw-Token</c>, optionally W3C baggage) and merges a
/// token found on the response back into the session, so a function that calls another and then reads sees what the
/// callee wrote.
/// </summary>
/// <remarks>
/// <c>IHttpClientFactory</c> runs handlers in a scope of their own and reuses them across requests, so the handler
/// reads <see cref="RywSessionAccessor.Session"/> (which flows with the calling invocation) at send time rather than
/// taking a session from DI. Outside an invocation (no ambient session) requests pass through untouched.
/// </remarks>
public sealed class RywTokenHandler : DelegatingHandler
{
    private readonly RywSessionAccessor _accessor;
    private readonly RywPropagator _propagator;
    private readonly bool _mergeResponses;
    private readonly ILogger _logger;

    /// <summary>Creates the handler with default options.</summary>
    /// <param name="accessor">Where the current invocation's session is found.</param>
    public RywTokenHandler(RywSessionAccessor accessor)
        : this(accessor, null, null)
    {
    }

    /// <summary>Creates the handler.</summary>
    /// <param name="accessor">Where the current invocation's session is found.</param>
    /// <param name="options">What to carry; <see langword="null"/> uses the defaults.</param>
    /// <param name="logger">Where problems are logged; <see langword="null"/> discards them.</param>
    public RywTokenHandler(RywSessionAccessor accessor, RywTokenHandlerOptions? options, ILogger<RywTokenHandler>? logger)
    {
        ArgumentNullException.ThrowIfNull(accessor);
        options ??= new RywTokenHandlerOptions();
        _accessor = accessor;
        _propagator = new RywPropagator(new RywPropagatorOptions { Baggage = options.Baggage });
        _mergeResponses = options.MergeResponseTokens;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = _accessor.Session;
        if (session is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        Stamp(request, await GetTokenAsync(session, cancellationToken).ConfigureAwait(false));
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        MergeBack(session, response);
        return response;
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = _accessor.Session;
        if (session is null)
        {
            return base.Send(request, cancellationToken);
        }

        // The caller chose the synchronous API; the wait only happens when a write's position is still being captured.
        Stamp(request, GetTokenAsync(session, cancellationToken).AsTask().GetAwaiter().GetResult());
        var response = base.Send(request, cancellationToken);
        MergeBack(session, response);
        return response;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Design", "CA1031", Justification = "The call must go out; it carries the token known so far, and the failure is logged.")]
    private async ValueTask<RywToken> GetTokenAsync(RywSession session, CancellationToken cancellationToken)
    {
        try
        {
            return await session.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.TokenUnavailable(_logger, exception);
            return session.Token;
        }
    }

    private void Stamp(HttpRequestMessage request, RywToken token)
    {
        // A token the caller put on the request by hand is kept if it is newer: tokens only move forward.
        token = token.Merge(RywPropagator.Default.Extract(request, GetRequestHeader).Token);
        _propagator.Inject(token, request, SetRequestHeader);
        _propagator.InjectBaggage(token, request, GetRequestHeader, SetRequestHeader);
    }

    private void MergeBack(RywSession session, HttpResponseMessage response)
    {
        if (_mergeResponses)
        {
            // Responses carry the token header only: W3C baggage describes requests.
            RywPropagator.Default.ExtractInto(session, response, GetResponseHeader);
        }
    }

    private static IEnumerable<string>? GetRequestHeader(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values : null;

    private static void SetRequestHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }

    private static IEnumerable<string>? GetResponseHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values : null;
}
