using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.AspNetCore;

/// <summary>
/// Per request: the incoming token goes into the request's scoped <see cref="RywSession"/>, which becomes the ambient
/// session for outgoing carriers; the newest token goes out on the response just before it starts.
/// </summary>
internal sealed class ReadYourWritesMiddleware
{
    private static readonly Func<object, Task> StampCallback = StampAsync;

    private readonly RequestDelegate _next;
    private readonly RywPropagator _propagator;
    private readonly RywSessionAccessor _accessor;
    private readonly ILogger _logger;
    private readonly bool _stampResponses;

    public ReadYourWritesMiddleware(RequestDelegate next, RywAspNetCoreOptions options, RywSessionAccessor accessor, ILogger logger)
    {
        _next = next;
        _propagator = new RywPropagator(new RywPropagatorOptions { Baggage = options.Baggage });
        _accessor = accessor;
        _logger = logger;
        _stampResponses = options.StampResponses;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var session = context.RequestServices.GetRequiredService<RywSession>();
        _propagator.ExtractInto(session, context.Request.Headers, GetHeader);
        if (_stampResponses)
        {
            // OnStarting, not after _next: results executed after the endpoint returned (and filters) have written by
            // then, and a streamed response gets the token of everything written before its first byte.
            context.Response.OnStarting(StampCallback, new StampState(this, context, session));
        }

        // A host that already made this session ambient (an outer integration) keeps ownership of it.
        var owns = !ReferenceEquals(_accessor.Session, session);
        if (owns)
        {
            _accessor.Session = session;
        }

        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            if (owns)
            {
                // Clears the holder shared with work the request started, so a leftover task cannot use a finished session.
                _accessor.Session = null;
            }
        }
    }

    private static IEnumerable<string>? GetHeader(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? (IEnumerable<string>)values! : null;

    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Design", "CA1031", Justification = "A failed stamp is logged; it must never fail the response it decorates.")]
    private static async Task StampAsync(object state)
    {
        var (middleware, context, session) = (StampState)state;
        try
        {
            var token = await session.GetTokenAsync(context.RequestAborted).ConfigureAwait(false);
            middleware._propagator.Inject(token, context.Response.Headers, static (headers, name, value) => headers[name] = value);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client is gone; nobody will read the header.
        }
        catch (Exception exception)
        {
            Log.StampFailed(middleware._logger, exception);
        }
    }

    private sealed record StampState(ReadYourWritesMiddleware Middleware, HttpContext Context, RywSession Session);
}
