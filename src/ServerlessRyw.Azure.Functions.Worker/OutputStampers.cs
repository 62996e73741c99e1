namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>The two host-specific operations output stamping needs; everything else is decided by <see cref="RywOutputPlan"/>.</summary>
/// <param name="Queue">Stamps a queue output value (normally <see cref="QueueMessageStamper.Stamp(object?, RywToken)"/> with the session's token).</param>
/// <param name="Http">
/// Stamps the token header on an HTTP response object; returns <see langword="false"/> when the object is not one the host
/// can stamp in place (for example an ASP.NET Core <c>IActionResult</c>, which is stamped when the response starts).
/// </param>
internal readonly record struct OutputStampers(Func<object?, QueueStampOutcome> Queue, Func<object, bool> Http);
