namespace FunctionsSample;

/// <summary>Queue message from PlaceOrder to ReserveStock.</summary>
public sealed record OrderPlaced(string OrderId, string Sku, int Quantity);

/// <summary>Queue message from ReserveStock to CompleteOrder.</summary>
public sealed record StockReserved(string OrderId, string Sku);

/// <summary>What the HTTP endpoints return.</summary>
public sealed record OrderView(string OrderId, string? Status, string? Stock, string Token);

/// <summary>Redis keys the chain writes and reads.</summary>
internal static class Keys
{
    public static string Order(string id) => $"order:{id}";

    public static string Stock(string id) => $"stock:{id}";

    public static string Audit(string id) => $"audit:{id}";

    public static string Archive(string id) => $"archive:{id}";

    /// <summary>Counts hops that did not see the previous hop's write: it stays 0 with read-your-writes on.</summary>
    public const string StaleHops = "sample:stale-hops";
}
