using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ServerlessRyw.Sentinel.Tests.Infrastructure;

/// <summary>Writes the discovery's log to the test output, with milliseconds since creation, to explain timings.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"[{Stopwatch.GetElapsedTime(_started).TotalMilliseconds,7:0} ms] {logLevel} {eventId.Id}: {formatter(state, exception)}{(exception is null ? string.Empty : " (" + exception.Message + ")")}");
        }
        catch (InvalidOperationException)
        {
            // The test finished while a background refresh was still logging.
        }
    }
}
