using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessRyw;

namespace FunctionsSample;

/// <summary>
/// The HTTP end of the sample. <see cref="RywSession"/> is the invocation's session: the middleware has already
/// imported the caller's <c>Ryw-Token</c> header into it, and stamps the newest token on the response.
/// </summary>
public sealed class OrderHttpFunctions(RywSession session, ILogger<OrderHttpFunctions> logger)
{
    /// <summary>
    /// POST /api/orders?sku=..&amp;quantity=..: writes the order to the Redis primary, enqueues it for the chain, and
    /// returns the token (also in the <c>Ryw-Token</c> response header).
    /// </summary>
    [Function(nameof(PlaceOrder))]
    public async Task<PlaceOrderOutput> PlaceOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "orders")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var orderId = Guid.NewGuid().ToString("N");
        var sku = request.Query["sku"].FirstOrDefault() ?? "sku-1";
        var quantity = int.TryParse(request.Query["quantity"], out var q) ? q : 1;

        // Write and token capture in one pipelined round trip.
        await session.WriteAsync(db => db.StringSetAsync(Keys.Order(orderId), "placed"), cancellationToken);
        var token = await session.GetTokenAsync(cancellationToken);
        Log.OrderPlaced(logger, orderId, token);

        return new PlaceOrderOutput
        {
            // The message leaves wrapped in an envelope with the token; ReserveStock receives the OrderPlaced object.
            Message = new OrderPlaced(orderId, sku, quantity),
            Response = new CreatedResult($"/api/orders/{orderId}", new OrderView(orderId, "placed", null, token.ToString())),
        };
    }

    /// <summary>
    /// GET /api/orders/{id}: reads through the session. Send back the <c>Ryw-Token</c> you got and this read sees
    /// your writes even when it is served by a replica.
    /// </summary>
    [Function(nameof(GetOrder))]
    public async Task<IActionResult> GetOrder(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "orders/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var status = await session.ReadAsync(db => db.StringGetAsync(Keys.Order(id)), cancellationToken);
        var stock = await session.ReadAsync(db => db.StringGetAsync(Keys.Stock(id)), cancellationToken);
        if (status.IsNull)
        {
            return new NotFoundResult();
        }

        var token = await session.GetTokenAsync(cancellationToken);
        return new OkObjectResult(new OrderView(id, status, stock, token.ToString()));
    }
}

/// <summary>PlaceOrder's outputs: the HTTP response and a queue message, both stamped with the token.</summary>
public sealed class PlaceOrderOutput
{
    /// <summary>The message for ReserveStock.</summary>
    [QueueOutput("orders-placed")]
    public OrderPlaced? Message { get; set; }

    /// <summary>The HTTP response.</summary>
    [HttpResult]
    public IActionResult? Response { get; set; }
}
