using System.Text.Json;

// Shapes that mirror the isolated worker's types: the mapping decides from binding metadata and property names, so
// these unit tests need no worker pipeline; the pipeline and host tests use the real types.
namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

/// <summary>Like Microsoft.Azure.Functions.Worker.QueueOutputAttribute: marks a multi-output property.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Method)]
internal sealed class QueueOutputAttribute(string queueName) : Attribute
{
    public string QueueName { get; } = queueName;
}

/// <summary>Like Microsoft.Azure.Functions.Worker.HttpResultAttribute.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class HttpResultAttribute : Attribute;

/// <summary>Like a blob output attribute: an output the token does not travel on.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class BlobOutputAttribute(string path) : Attribute
{
    public string Path { get; } = path;
}

/// <summary>Like HttpResponseData: a response whose headers can be set after the function returned.</summary>
internal sealed class FakeHttpResponseData
{
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Like an ASP.NET Core IActionResult: cannot be stamped in place.</summary>
internal sealed class FakeActionResult;

internal sealed record OrderMessage(int OrderId, string Customer);

/// <summary>The typical multi-output object: an HTTP response plus a queue message.</summary>
internal sealed class OrderAcceptedOutputs
{
    [QueueOutput("orders")]
    public string? Message { get; set; }

    [HttpResult]
    public FakeHttpResponseData? HttpResponse { get; set; }

    [BlobOutput("audit/{rand-guid}")]
    public string? Audit { get; set; }
}

/// <summary>Queue outputs typed as POCO collections and arrays, which envelope text cannot be assigned to.</summary>
internal sealed class FanOutOutputs
{
    [QueueOutput("orders")]
    public List<OrderMessage>? Orders { get; set; }

    [QueueOutput("notifications")]
    public string[]? Notifications { get; set; }

    [QueueOutput("single")]
    public OrderMessage? Single { get; set; }
}

internal sealed class ReadOnlyOutputs(string message)
{
    [QueueOutput("orders")]
    public string Message { get; } = message;
}

/// <summary>Like OutputBindingData&lt;object&gt;: a bound output value the worker serializes after the pipeline.</summary>
internal sealed class FakeOutputBindingData(string name, string bindingType, object? value)
{
    public string Name { get; } = name;

    public string BindingType { get; } = bindingType;

    public object? Value { get; set; } = value;
}

internal static class Json
{
    // The worker's default serializer is System.Text.Json with web defaults (camelCase, case-insensitive).
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
