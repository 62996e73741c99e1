using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Carries the read-your-writes token through one invocation: before the function runs, the incoming token (HTTP
/// header, queue envelope) goes into the invocation's <see cref="RywSession"/>; after it ran, the session's newest token
/// is stamped on every HTTP response and queue message it returns.
/// </summary>
/// <remarks>
/// A singleton, like every worker middleware. Per-invocation state lives in the invocation's DI scope (the scoped
/// <see cref="RywSession"/> functions inject), in <see cref="FunctionContext.Items"/>, and in the ambient
/// <see cref="RywSessionAccessor"/> for outgoing calls made while the function runs. Nothing here fails an invocation:
/// a token that cannot be read or stamped is logged and counted, and the function runs and its outputs are sent anyway.
/// </remarks>
internal sealed class RywFunctionsMiddleware : IFunctionsWorkerMiddleware
{
    // The capability the ASP.NET Core integration announces to the host; its presence means requests are proxied.
    private const string HttpUriCapability = "HttpUri";

    private readonly RywSessionAccessor _accessor;
    private readonly RywOutputStamping _stamping;
    private readonly RywFunctionsTelemetry _telemetry;
    private readonly IOptions<WorkerOptions> _workerOptions;
    private readonly ILogger<RywFunctionsMiddleware> _logger;
    private readonly ConcurrentDictionary<string, FunctionShape> _shapes = new(StringComparer.Ordinal);
    private int _misorderLogged;

    public RywFunctionsMiddleware(
        RywSessionAccessor accessor,
        RywOutputStamping stamping,
        RywFunctionsTelemetry telemetry,
        IOptions<WorkerOptions> workerOptions,
        ILogger<RywFunctionsMiddleware> logger)
    {
        _accessor = accessor;
        _stamping = stamping;
        _telemetry = telemetry;
        _workerOptions = workerOptions;
        _logger = logger;
    }

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var session = ResolveSession(context);
        if (session is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var shape = _shapes.GetOrAdd(context.FunctionId, static (_, definition) => FunctionShape.From(definition), context.FunctionDefinition);
        _accessor.Session = session;
        try
        {
            var responseHooked = await ReadIncomingAsync(context, session, shape).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
            if (shape.Trigger == RywBindingKind.HttpTrigger && !responseHooked && context.GetHttpContext() is not null
                && Interlocked.Exchange(ref _misorderLogged, 1) == 0)
            {
                Log.MiddlewareOutsideAspNetCore(_logger, context.FunctionDefinition.Name);
            }

            await StampOutgoingAsync(context, session, shape, stampHttp: !responseHooked).ConfigureAwait(false);
        }
        finally
        {
            _accessor.Session = null;
        }
    }

    /// <summary>The session of the invocation in progress, once this middleware has started it.</summary>
    internal static RywSession? GetSession(FunctionContext context) =>
        context.Items.TryGetValue(RywFunctionItemKeys.Session, out var session) ? session as RywSession : null;

    private RywSession? ResolveSession(FunctionContext context)
    {
        try
        {
            // The scoped session: the same instance the function's constructor receives.
            var session = context.InstanceServices.GetRequiredService<RywSession>();
            context.Items[RywFunctionItemKeys.Session] = session;
            return session;
        }
#pragma warning disable CA1031 // A broken configuration must not take every function down with it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.SessionUnavailable(_logger, context.FunctionDefinition.Name, context.InvocationId, exception);
            return null;
        }
    }

    /// <returns>Whether an ASP.NET Core response was given a stamping callback.</returns>
    private async ValueTask<bool> ReadIncomingAsync(FunctionContext context, RywSession session, FunctionShape shape)
    {
        switch (shape.Trigger)
        {
            case RywBindingKind.HttpTrigger:
                return await ReadRequestAsync(context, session).ConfigureAwait(false);
            case RywBindingKind.QueueTrigger when shape.QueueParameter != QueueParameterShape.Text && shape.TriggerBinding is { } trigger:
                try
                {
                    await QueueSdkTypeBinding.UnwrapAsync(context, trigger, shape.QueueParameter).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The message is then bound as it was sent.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    Log.UnwrapFailed(_logger, context.FunctionDefinition.Name, exception);
                }

                return false;
            default:
                // Text queue messages are unwrapped by RywQueueEnvelopeConverter while the worker binds them.
                return false;
        }
    }

    private async ValueTask<bool> ReadRequestAsync(FunctionContext context, RywSession session)
    {
        try
        {
            if (context.GetHttpContext() is { } httpContext)
            {
                // ASP.NET Core integration, this middleware inside it: the real request and response.
                RywPropagator.Default.ExtractInto(session, httpContext.Request.Headers, static (headers, name) =>
                    headers.TryGetValue(name, out var values) ? values.OfType<string>() : null);
                HookResponse(httpContext, session);
                return true;
            }

            if (!_workerOptions.Value.Capabilities.ContainsKey(HttpUriCapability))
            {
                // Plain worker: HttpRequestData is what the function binds too, so binding it here changes nothing.
                if (await context.GetHttpRequestDataAsync().ConfigureAwait(false) is { } request)
                {
                    RywPropagator.Default.ExtractInto(session, request.Headers, static (headers, name) =>
                        headers.TryGetValues(name, out var values) ? values : null);
                    return false;
                }
            }
        }
#pragma warning disable CA1031 // The function still runs; it just reads as if no token came.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.RequestUnreadable(_logger, context.FunctionDefinition.Name, exception);
        }

        // ASP.NET Core integration with this middleware outside it (the request is not reachable yet, and binding it
        // here would bind the wrong type): the host's trigger metadata carries the headers too.
        if (context.BindingContext.BindingData.TryGetValue(FunctionBindings.HeadersMetadataKey, out var headersMetadata))
        {
            RywPropagator.Default.ExtractInto(session, headersMetadata, static (headers, name) => TriggerMetadataHeaders.GetValues(headers, name));
        }

        return false;
    }

    private void HookResponse(HttpContext httpContext, RywSession session)
    {
        if (!httpContext.Items.TryAdd(RywFunctionItemKeys.ResponseHooked, true))
        {
            return;
        }

        // Whatever produces the response (IActionResult, IResult, HttpResponseData, a direct write), headers go out
        // when it starts: stamp the token then, with every write made until that moment.
        var state = new ResponseStamp(httpContext, session, _telemetry, _logger);
        httpContext.Response.OnStarting(static state => ((ResponseStamp)state).RunAsync(), state);
    }

    private async ValueTask StampOutgoingAsync(FunctionContext context, RywSession session, FunctionShape shape, bool stampHttp)
    {
        if (shape.Outputs.IsEmpty)
        {
            return;
        }

        try
        {
            var token = await session.GetTokenAsync(context.CancellationToken).ConfigureAwait(false);
            if (token.IsEmpty)
            {
                return;
            }

            var summary = _stamping.Stamp(context, shape.Outputs, token, stampHttp);
            _telemetry.Record(summary);
            if (summary.MessagesSkipped > 0)
            {
                Log.MessagesUnstamped(_logger, context.FunctionDefinition.Name, summary.MessagesSkipped, summary.Unwritable);
            }
        }
#pragma warning disable CA1031 // Outputs are sent either way; unstamped ones are logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.StampFailed(_logger, context.FunctionDefinition.Name, exception);
        }
    }

    private sealed class ResponseStamp(HttpContext httpContext, RywSession session, RywFunctionsTelemetry telemetry, ILogger logger)
    {
        public async Task RunAsync()
        {
            try
            {
                var token = await session.GetTokenAsync(httpContext.RequestAborted).ConfigureAwait(false);
                if (token.IsEmpty)
                {
                    return;
                }

                RywPropagator.Default.Inject(token, httpContext.Response.Headers, static (headers, name, value) => headers[name] = value);
                telemetry.RecordResponseStamped();
            }
#pragma warning disable CA1031 // Never fail a response because its token could not be stamped.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.StampFailed(logger, httpContext.Request.Path.Value ?? "(response)", exception);
            }
        }
    }
}
