using System.Diagnostics.Metrics;

namespace ServerlessRyw.Propagation;

/// <summary>
/// Counters for the static carriers, which have no client to report through. The meter has the client meter's name,
/// so subscribing to <c>ServerlessRyw</c> collects both.
/// </summary>
internal static class PropagationTelemetry
{
    private static readonly Meter Meter = new(RywTelemetry.MeterName);

    private static readonly Counter<long> Envelopes = Meter.CreateCounter<long>(
        "ryw.queue.envelopes", "{message}", "Queue message envelopes read, by outcome (tag ryw.status); not_stamped is not counted.");

    private static readonly KeyValuePair<string, object?>[] StatusTags =
    [
        new("ryw.status", "not_stamped"),
        new("ryw.status", "unwrapped"),
        new("ryw.status", "malformed"),
        new("ryw.status", "unsupported_version"),
        new("ryw.status", "invalid_token"),
    ];

    public static void RecordEnvelope(RywEnvelopeStatus status)
    {
        if (status != RywEnvelopeStatus.NotStamped && (int)status < StatusTags.Length)
        {
            Envelopes.Add(1, StatusTags[(int)status]);
        }
    }
}
