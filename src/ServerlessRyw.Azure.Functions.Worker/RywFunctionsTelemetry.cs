using System.Diagnostics.Metrics;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>Counts what the adapter stamped and what it could not, on the <c>ServerlessRyw</c> meter.</summary>
internal sealed class RywFunctionsTelemetry
{
    private readonly Counter<long> _messagesStamped;
    private readonly Counter<long> _messagesUnstamped;
    private readonly Counter<long> _responsesStamped;

    public RywFunctionsTelemetry(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(RywClient.MeterName) ?? new Meter(RywClient.MeterName);
        _messagesStamped = meter.CreateCounter<long>(
            "ryw.functions.messages.stamped", "{message}", "Queue output messages sent with the token.");
        _messagesUnstamped = meter.CreateCounter<long>(
            "ryw.functions.messages.unstamped", "{message}", "Queue output messages sent without the token, by reason.");
        _responsesStamped = meter.CreateCounter<long>(
            "ryw.functions.responses.stamped", "{response}", "HTTP responses sent with the token header.");
    }

    public void Record(in OutputStampSummary summary)
    {
        if (summary.MessagesStamped > 0)
        {
            _messagesStamped.Add(summary.MessagesStamped);
        }

        if (summary.MessagesSkipped > 0)
        {
            _messagesUnstamped.Add(summary.MessagesSkipped, new KeyValuePair<string, object?>("ryw.reason", summary.Unwritable > 0 ? "unwritable" : "not_stampable"));
        }

        if (summary.HttpResponses > 0)
        {
            _responsesStamped.Add(summary.HttpResponses);
        }
    }

    public void RecordResponseStamped() => _responsesStamped.Add(1);
}
