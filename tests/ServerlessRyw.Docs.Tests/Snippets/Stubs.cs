namespace ServerlessRyw.Docs.Tests.Snippets;

// Types the snippets mention but do not define. Nothing here runs.

/// <summary>The cart of the ASP.NET Core snippets.</summary>
internal sealed record Cart(int Items);

/// <summary>The order of the queue snippets.</summary>
internal sealed record Order(int Id);

/// <summary>A message of some broker with string-keyed application properties (Service Bus, for example).</summary>
internal sealed class BrokerMessage
{
    public IDictionary<string, object> ApplicationProperties { get; } = new Dictionary<string, object>();
}
