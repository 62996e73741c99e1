using System.Diagnostics.Metrics;

namespace ServerlessRyw.Azure.Storage.Queues.Tests.Infrastructure;

/// <summary>Counts <c>ryw.queue.envelopes</c> measurements by <c>ryw.status</c> while it lives.</summary>
public sealed class EnvelopeCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counts = [];

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
                if (tag.Key == "ryw.status")
                {
                    lock (_counts)
                    {
                        var key = (string)tag.Value!;
                        _counts[key] = _counts.GetValueOrDefault(key) + value;
                    }
                }
            }
        });
        _listener.Start();
    }

    public long Count(string status)
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault(status);
        }
    }

    public void Dispose() => _listener.Dispose();
}
