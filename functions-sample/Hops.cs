using Microsoft.Extensions.Logging;
using ServerlessRyw;

namespace FunctionsSample;

/// <summary>How every queue hop reports whether it saw the previous hop's write.</summary>
internal static class Hops
{
    /// <param name="seen">Whether the previous hop's write was visible. Hops test for "written at all", not for one
    /// value, so a redelivered message (whose later hops already ran) is not mistaken for a stale read.</param>
    public static async Task ReportAsync(RywSession session, ILogger logger, string hop, string orderId, bool seen, CancellationToken cancellationToken)
    {
        if (seen)
        {
            Log.SawWrite(logger, hop, orderId);
            return;
        }

        // Only possible with read-your-writes off (Mode=ReplicaUnsafe) and a lagging replica.
        Log.ReadStale(logger, hop, orderId);
        await session.WriteAsync(db => db.StringIncrementAsync(Keys.StaleHops), cancellationToken);
    }
}
