using System.Diagnostics;
using System.Globalization;

namespace ServerlessRyw.LocalRedis.Tests;

/// <summary>KillAll kills every server of this process, so it must not run beside the other test classes.</summary>
[CollectionDefinition(nameof(KillAllRunsAlone), DisableParallelization = true)]
public sealed class KillAllRunsAlone
{
}

[Collection(nameof(KillAllRunsAlone))]
public sealed class CleanupTests
{
    [Fact]
    public async Task KillAll_UndisposedServers_KillsThemAndStopsTrackingOnDispose()
    {
        await using RedisServerProcess first = await RedisServerProcess.StartAsync();
        await using RedisServerProcess second = await RedisServerProcess.StartAsync();

        int killed = LocalRedisCleanup.KillAll();

        Assert.True(killed >= 2);
        Assert.False(first.IsRunning);
        Assert.False(second.IsRunning);

        int trackedBefore = LocalRedisCleanup.TrackedServerCount;
        await first.DisposeAsync();
        Assert.Equal(trackedBefore - 1, LocalRedisCleanup.TrackedServerCount);
    }

    [Fact]
    public async Task ReapIfOrphaned_OwnerProcessGone_KillsServerAndDeletesDirectory()
    {
        string directory = Directory.CreateTempSubdirectory(ServerDirectory.Prefix).FullName;
        ServerDirectory.WriteOwner(directory, await DeadProcessIdAsync(), startTicks: 1);
        using Process orphan = StartBareRedis(directory);
        ServerDirectory.RecordServerPid(directory, orphan.Id);

        bool reaped = OrphanedServerReaper.ReapIfOrphaned(directory);

        Assert.True(reaped);
        Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(5)), "The orphaned server is still running.");
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task ReapIfOrphaned_OwnerAlive_LeavesServerAlone()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartAsync();

        bool reaped = OrphanedServerReaper.ReapIfOrphaned(server.DataDirectory);

        Assert.False(reaped);
        Assert.True(server.IsRunning);
        Assert.True(Directory.Exists(server.DataDirectory));
    }

    /// <summary>A process id that just exited, standing in for a test host that was killed.</summary>
    private static async Task<int> DeadProcessIdAsync()
    {
        using Process exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        return exited.Id;
    }

    private static Process StartBareRedis(string directory)
    {
        var startInfo = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string argument in new[] { "--port", "0", "--save", string.Empty, "--dir", directory })
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo)!;
    }
}
