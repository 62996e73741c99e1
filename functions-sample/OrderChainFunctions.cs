using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessRyw;

namespace FunctionsSample;

/// <summary>
/// The queue chain: orders-placed → ReserveStock → orders-reserved → CompleteOrder. Each hop reads what the hop before
/// it wrote, through a replica when the replica has caught up with the token, from the primary otherwise.
/// </summary>
public sealed class OrderChainFunctions(RywSession session, ILogger<OrderChainFunctions> logger)
{
    /// <summary>Second hop: a POCO parameter (the envelope came off before binding), a POCO return value on the next queue.</summary>
    [Function(nameof(ReserveStock))]
    [QueueOutput("orders-reserved")]
    public async Task<StockReserved> ReserveStock(
        [QueueTrigger("orders-placed")] OrderPlaced order,
        CancellationToken cancellationToken)
    {
        var status = await session.ReadAsync(db => db.StringGetAsync(Keys.Order(order.OrderId)), cancellationToken);
        // Any value: a redelivered message finds "completed" when the later hop already ran, which is not stale.
        await Hops.ReportAsync(session, logger, nameof(ReserveStock), order.OrderId, seen: status.HasValue, cancellationToken);

        await session.WriteAsync(db => db.StringSetAsync(Keys.Stock(order.OrderId), $"reserved {order.Quantity} x {order.Sku}"), cancellationToken);
        return new StockReserved(order.OrderId, order.Sku);
    }

    /// <summary>Last hop: a string parameter receives the original JSON body, without the envelope.</summary>
    [Function(nameof(CompleteOrder))]
    public async Task CompleteOrder(
        [QueueTrigger("orders-reserved")] string message,
        CancellationToken cancellationToken)
    {
        var reserved = System.Text.Json.JsonSerializer.Deserialize<StockReserved>(message, JsonOptions)!;
        var stock = await session.ReadAsync(db => db.StringGetAsync(Keys.Stock(reserved.OrderId)), cancellationToken);
        await Hops.ReportAsync(session, logger, nameof(CompleteOrder), reserved.OrderId, seen: stock.HasValue, cancellationToken);

        await session.WriteAsync(db => db.StringSetAsync(Keys.Order(reserved.OrderId), "completed"), cancellationToken);
    }

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web);
}
