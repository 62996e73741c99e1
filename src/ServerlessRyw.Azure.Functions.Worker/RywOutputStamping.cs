using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Options;
using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>Maps the worker's output types onto <see cref="RywOutputPlan"/> and <see cref="QueueMessageStamper"/>.</summary>
internal sealed class RywOutputStamping
{
    private readonly QueueMessageStamper _stamper;

    public RywOutputStamping(IOptions<WorkerOptions> workerOptions)
    {
        // POCO messages are serialized exactly as the worker would have serialized them (its configured serializer).
        var serializer = workerOptions.Value.Serializer;
        _stamper = new QueueMessageStamper(message => serializer is null
            ? System.Text.Json.JsonSerializer.Serialize(message, message.GetType())
            : serializer.Serialize(message, message.GetType(), CancellationToken.None)!.ToString());
    }

    /// <summary>Stamps every HTTP response and queue message the invocation is about to send.</summary>
    /// <param name="context">The invocation.</param>
    /// <param name="plan">Which of its outputs carry the token.</param>
    /// <param name="token">The session's newest token.</param>
    /// <param name="stampHttp">
    /// <see langword="false"/> when the ASP.NET Core response already stamps itself as it starts: its
    /// <see cref="HttpResponseData"/> wraps the real response, whose headers may be read-only by now.
    /// </param>
    public OutputStampSummary Stamp(FunctionContext context, RywOutputPlan plan, RywToken token, bool stampHttp)
    {
        var stampers = new OutputStampers(
            value => _stamper.Stamp(Normalize(value), token),
            response => stampHttp && StampResponse(response, token));
        var summary = default(OutputStampSummary);
        var result = context.GetInvocationResult();

        if (plan.ReturnKind != RywBindingKind.Other)
        {
            summary += plan.StampReturnValue(result.Value, stampers, out var replacement);
            if (!ReferenceEquals(replacement, result.Value))
            {
                result.Value = replacement;
            }
        }

        if (plan.Properties.Count == 0)
        {
            return summary;
        }

        if (plan.ReturnKind == RywBindingKind.Other && result.Value is { } multiOutput)
        {
            // The worker has not split the returned object into bindings yet (this middleware runs inside its
            // output-binding middleware): stamp the properties it will read.
            return summary + plan.StampProperties(multiOutput, stampers, (name, value) => SetBinding(context, name, value));
        }

        // The usual case: the worker's output-binding middleware runs inside this one and has already split the
        // returned object into per-binding values.
        summary += plan.StampBound(
            context.GetOutputBindings<object>(), static b => b.Name, static b => b.Value, static (b, v) => b.Value = v, stampers);
        return summary;
    }

    /// <summary>Sets the token header on a worker HTTP response (gRPC or ASP.NET Core backed).</summary>
    public static bool StampResponse(object response, RywToken token)
    {
        if (response is not HttpResponseData http || token.IsEmpty)
        {
            return false;
        }

        RywPropagator.Default.Inject(token, http.Headers, static (headers, name, value) =>
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        });
        return true;
    }

    // BinaryData is the queue SDK's byte type; the stamper knows ReadOnlyMemory<byte>.
    private static object? Normalize(object? value) => value is BinaryData data ? data.ToMemory() : value;

    private static void SetBinding(FunctionContext context, string name, object? value)
    {
        foreach (var binding in context.GetOutputBindings<object>())
        {
            if (string.Equals(binding.Name, name, StringComparison.Ordinal))
            {
                binding.Value = value;
                return;
            }
        }
    }
}
