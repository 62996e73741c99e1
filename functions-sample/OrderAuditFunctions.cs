using System.Net;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Logging;
using ServerlessRyw;

namespace FunctionsSample;

/// <summary>
/// The same read-your-writes chain with the other binding shapes: a classic <see cref="HttpRequestData"/> function,
/// then the queue SDK's own types (<see cref="QueueMessage"/>, <see cref="BinaryData"/>) as trigger parameters.
/// </summary>
public sealed class OrderAuditFunctions(RywSession session, ILogger<OrderAuditFunctions> logger)
{
    /// <summary>POST /api/audits/{id}: HttpRequestData in, HttpResponseData out, a plain string message to orders-audit.</summary>
    [Function(nameof(RequestAudit))]
    public async Task<AuditOutput> RequestAudit(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "audits/{id}")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken)
    {
        await session.WriteAsync(db => db.StringSetAsync(Keys.Audit(id), "requested"), cancellationToken);
        var response = request.CreateResponse(HttpStatusCode.Accepted);
        return new AuditOutput { Message = id, Response = response };
    }

    /// <summary>QueueMessage parameter: the body arrives without the envelope; id and dequeue count stay available.</summary>
    [Function(nameof(AuditOrder))]
    [QueueOutput("orders-archive")]
    public async Task<string> AuditOrder([QueueTrigger("orders-audit")] QueueMessage message, CancellationToken cancellationToken)
    {
        var id = message.Body.ToString();
        var status = await session.ReadAsync(db => db.StringGetAsync(Keys.Audit(id)), cancellationToken);
        await Hops.ReportAsync(session, logger, nameof(AuditOrder), id, seen: status.HasValue, cancellationToken);
        await session.WriteAsync(db => db.StringSetAsync(Keys.Archive(id), "audited"), cancellationToken);
        return id;
    }

    /// <summary>BinaryData parameter: likewise unwrapped before the function sees it.</summary>
    [Function(nameof(ArchiveOrder))]
    public async Task ArchiveOrder([QueueTrigger("orders-archive")] BinaryData body, CancellationToken cancellationToken)
    {
        var id = body.ToString();
        var archived = await session.ReadAsync(db => db.StringGetAsync(Keys.Archive(id)), cancellationToken);
        await Hops.ReportAsync(session, logger, nameof(ArchiveOrder), id, seen: archived.HasValue, cancellationToken);
    }
}

/// <summary>RequestAudit's outputs.</summary>
public sealed class AuditOutput
{
    /// <summary>The order id, for AuditOrder.</summary>
    [QueueOutput("orders-audit")]
    public string? Message { get; set; }

    /// <summary>The HTTP response.</summary>
    [HttpResult]
    public HttpResponseData? Response { get; set; }
}
