using ServerlessRyw.Cli.Bench;
using StackExchange.Redis;

namespace ServerlessRyw.Cli.Tests.Bench;

public class ChainRecorderUnitTests
{
    [Fact]
    public void RecordRead_ValueDiffersFromLastWrite_CountsStale()
    {
        var recorder = new ChainRecorder();

        recorder.RecordRead(0.1, "2", "1", replicaHadIt: false);

        Assert.Equal(1, recorder.StaleReads);
        Assert.Equal(1, recorder.Reads);
    }

    [Fact]
    public void RecordRead_KeyMissingOnReplica_CountsStale()
    {
        var recorder = new ChainRecorder();

        recorder.RecordRead(0.1, "1", RedisValue.Null, replicaHadIt: false);

        Assert.Equal(1, recorder.StaleReads);
    }

    [Fact]
    public void RecordRead_SameValue_IsFreshAndCountsOracle()
    {
        var recorder = new ChainRecorder();

        recorder.RecordRead(0.1, "7", "7", replicaHadIt: true);

        Assert.Equal(0, recorder.StaleReads);
        Assert.Equal(1, recorder.OracleEligible);
    }

    [Fact]
    public void RecordWrite_ReplicationNotConfirmed_CountsWaitTimeout()
    {
        var recorder = new ChainRecorder();

        recorder.RecordWrite(1.0, replicationConfirmed: false);
        recorder.RecordWrite(1.0, replicationConfirmed: true);

        Assert.Equal(2, recorder.Writes);
        Assert.Equal(1, recorder.WaitTimeouts);
    }

    [Fact]
    public void Merge_TwoChains_SumsCountsAndPoolsLatencies()
    {
        var first = new ChainRecorder();
        first.RecordWrite(2, true);
        first.RecordRead(1, "1", "1", replicaHadIt: true);
        var second = new ChainRecorder();
        second.RecordWrite(4, true);
        second.RecordRead(3, "1", "0", replicaHadIt: false);
        second.RecordRead(5, "1", "1", replicaHadIt: true);

        var cell = ChainRecorder.Merge([first, second], BenchMode.Token, lagMs: 50, TimeSpan.FromSeconds(1), new ReadOutcomes(0, 2, 1, 0, 0, 0));

        Assert.Equal(2, cell.Sessions);
        Assert.Equal(2, cell.Writes);
        Assert.Equal(3, cell.Reads);
        Assert.Equal(1, cell.StaleReads);
        Assert.Equal(2, cell.OracleEligible);
        Assert.Equal(3, cell.ReadLatency.P50);
        Assert.Equal(5, cell.ReadLatency.Max);
        Assert.Equal(5, cell.HopLatency.Count);
        Assert.Equal(1.0, cell.ReplicaShare);
        Assert.Equal(2.0 / 3, cell.OracleShare, 6);
        Assert.Equal(5, cell.HopsPerSecond);
    }
}
