using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ServerlessRyw.TestSupport;

/// <summary>
/// Listens to <c>ryw.queue.envelopes</c> (meter <c>ServerlessRyw</c>) while it lives and counts by <c>ryw.status</c>:
/// the operator's view.
/// </summary>
public sealed class EnvelopeCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public EnvelopeCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RywClient.MeterName && instrument.Name == "ryw.queue.envelopes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "ryw.status" && tag.Value is string status)
                {
                    _counts.AddOrUpdate(status, value, (_, n) => n + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>How many envelopes were counted with this <c>ryw.status</c> (for example <c>malformed</c>).</summary>
    public long this[string status] => _counts.GetValueOrDefault(status);

    public override string ToString() => string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    public void Dispose() => _listener.Dispose();
}
