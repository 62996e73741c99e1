using System.Diagnostics;
using System.Globalization;
using ServerlessRyw.Reliability.Tests.Faults;
using ServerlessRyw.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ServerlessRyw.Reliability.Tests.Load;

/// <summary>
/// 256 concurrent sessions (chains of invocations sharing one client, as one process serving 256 requests at once) for a
/// fixed number of operations: no deadlock, no thread-pool starvation, memory flat across rounds, the same number of
/// server connections before and after, and 0 stale reads.
/// </summary>
public sealed class ConcurrentSessionLoadTests(ITestOutputHelper output)
{
    private const int Sessions = 256;
    private const int HopsPerRound = 8;
    private const int Rounds = 5;
    private static readonly RywOptions Options = new() { WaitBudget = TimeSpan.FromMilliseconds(100), ReplicaTimeout = TimeSpan.FromMilliseconds(250) };

    [Fact]
    public async Task Load_256ConcurrentSessions_NoDeadlockNoStarvationFlatMemoryConstantConnections()
    {
        await using var lab = await FaultLab.StartAsync(replicas: 2, lag: TimeSpan.FromMilliseconds(5));
        var servers = new[] { lab.Primary.EndPoint }.Concat(lab.Replicas.Select(r => r.EndPoint)).ToArray();
        using var client = lab.CreateClient(Options);
        var workload = new ChainWorkload("load", Sessions);
        var limit = ReadBudget.For(Options);

        // Warm-up: connections, JIT, script cache, pool threads.
        AssertClean(await workload.RunAsync(client, TimeSpan.FromMinutes(1), hopsPerLane: 2).WaitAsync(TimeSpan.FromSeconds(60)));
        var connectionsBefore = await ClientConnections.DescribeAsync(servers);
        var threadsBefore = ThreadPool.ThreadCount;
        var retained = new List<long>();
        var total = new WorkloadResult();
        long invocations = 0;
        long allocated = 0;
        var clock = Stopwatch.StartNew();
        using (var starvation = new StarvationMonitor())
        {
            for (var round = 0; round < Rounds; round++)
            {
                retained.Add(GC.GetTotalMemory(forceFullCollection: true));
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var result = await workload.RunAsync(client, TimeSpan.FromMinutes(1), hopsPerLane: HopsPerRound).WaitAsync(TimeSpan.FromSeconds(60)); // a deadlock fails here
                allocated += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                invocations += result.Invocations * 2; // each hop is two invocations: the writer's and the reader's
                AssertClean(result);
                total = Combine(total, result);
            }

            retained.Add(GC.GetTotalMemory(forceFullCollection: true));
            var connectionsAfter = await ClientConnections.DescribeAsync(servers);
            var bytesPerInvocation = allocated / invocations;
            var growth = retained[^1] - retained[1];
            var figures = string.Create(CultureInfo.InvariantCulture,
                $"{Sessions} sessions x {Rounds} rounds x {HopsPerRound} hops = {invocations} invocations in {clock.Elapsed.TotalSeconds:0.0} s; " +
                $"allocated {bytesPerInvocation} B/invocation; retained after each round (MB): {string.Join(" ", retained.Select(b => (b / 1048576.0).ToString("0.00", CultureInfo.InvariantCulture)))}; " +
                $"connections before: {connectionsBefore}; after: {connectionsAfter}; pool threads {threadsBefore} -> {ThreadPool.ThreadCount}; {starvation}; " +
                $"max read {total.MaxRead.TotalMilliseconds:0.0} ms; stale {total.StaleReads}");
            output.WriteLine(figures);
            Figures.Record(null, nameof(Load_256ConcurrentSessions_NoDeadlockNoStarvationFlatMemoryConstantConnections), "summary", figures);
            Figures.Record(null, nameof(Load_256ConcurrentSessions_NoDeadlockNoStarvationFlatMemoryConstantConnections), "bytes_per_invocation", bytesPerInvocation);
            Figures.Record(null, nameof(Load_256ConcurrentSessions_NoDeadlockNoStarvationFlatMemoryConstantConnections), "retained_growth_bytes", growth);

            Assert.Equal(connectionsBefore, connectionsAfter);
            Assert.True(growth < 4 * 1024 * 1024, $"memory grew by {growth} bytes across rounds: {figures}");
            Assert.True(starvation.MaxDelay < TimeSpan.FromSeconds(1), figures);
            Assert.True(total.MaxRead < limit, $"slowest read {total.MaxRead} over {limit}: {figures}");
        }

        await AssertStaleWithoutToolkitAsync(lab);
    }

    private static void AssertClean(WorkloadResult result)
    {
        Assert.True(result.StaleReads == 0, result.ToString());
        Assert.True(result.ToolkitExceptions == 0, result.ToString());
        Assert.True(result.RedisFailures == 0, result.ToString());
    }

    private static WorkloadResult Combine(WorkloadResult total, WorkloadResult round)
    {
        var combined = new WorkloadResult();
        foreach (var part in new[] { total, round })
        {
            combined.AddRead(part.MaxRead, answered: true, TimeSpan.MaxValue);
            for (var i = 0; i < part.StaleReads; i++)
            {
                combined.AddStale();
            }
        }

        return combined;
    }

    private static async Task AssertStaleWithoutToolkitAsync(FaultLab lab)
    {
        await lab.SetLagAsync(TimeSpan.FromMilliseconds(20));
        using var unsafeClient = lab.CreateClient(new RywOptions { Mode = RywMode.ReplicaUnsafe }, lab.LaggedReplica.EndPoint);
        var control = await new ChainWorkload("load-control", lanes: 32).RunAsync(unsafeClient, TimeSpan.FromMinutes(1), hopsPerLane: 4);
        Assert.True(control.StaleReads > 0, control.ToString());
    }
}
