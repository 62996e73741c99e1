namespace ServerlessRyw.Cluster.Tests.Tokens;

/// <summary>One position per shard history, max-merged; the overflow mark past <see cref="RywToken.MaxPositions"/>.</summary>
public sealed class RywTokenClusterUnitTests
{
    private static string Id(int shard) => shard.ToString("x40", null);

    private static RywToken Write(int shard, long offset) => RywToken.FromPosition(new ReplicationPosition(Id(shard), offset));

    [Fact]
    public void Merge_WritesOnThreeShards_KeepsOnePositionPerShardAtItsMaximum()
    {
        var token = Write(0, 100).Merge(Write(1, 50)).Merge(Write(2, 7)).Merge(Write(0, 90)).Merge(Write(1, 60));

        Assert.Equal(3, token.Positions.Length);
        Assert.True(token.TryGetOffset(Id(0), out var a) && a == 100);
        Assert.True(token.TryGetOffset(Id(1), out var b) && b == 60);
        Assert.True(token.TryGetOffset(Id(2), out var c) && c == 7);
        Assert.False(token.IsOverflowed);
    }

    [Fact]
    public void Merge_ShardWrittenAgainElsewhereInTheChain_AnyOrderGivesTheSameToken()
    {
        RywToken[] hops = [Write(0, 10), Write(1, 20), Write(0, 30), Write(2, 5), Write(1, 15)];

        var forward = hops.Aggregate(RywToken.None, static (t, h) => t.Merge(h));
        var backward = hops.Reverse().Aggregate(RywToken.None, static (t, h) => t.Merge(h));

        Assert.Equal(forward, backward);
        Assert.Equal(forward.ToString(), backward.ToString());
    }

    [Fact]
    public void Merge_MoreShardsThanLimit_MarksTokenOverflowed()
    {
        var token = Enumerable.Range(0, RywToken.MaxPositions + 1).Aggregate(RywToken.None, static (t, i) => t.Merge(Write(i, 100 + i)));

        Assert.True(token.IsOverflowed);
        Assert.Equal(RywToken.MaxPositions, token.Positions.Length);
        Assert.EndsWith(".o", token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_ExactlyAtLimit_IsNotOverflowed()
    {
        var token = Enumerable.Range(0, RywToken.MaxPositions).Aggregate(RywToken.None, static (t, i) => t.Merge(Write(i, i + 1)));

        Assert.False(token.IsOverflowed);
        Assert.DoesNotContain(".o", token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_OverflowedIntoSmallToken_KeepsMark()
    {
        var overflowed = Enumerable.Range(0, RywToken.MaxPositions + 3).Aggregate(RywToken.None, static (t, i) => t.Merge(Write(i, 1000)));

        var merged = Write(1, 1).Merge(overflowed);
        var other = overflowed.Merge(Write(1, 1));

        Assert.True(merged.IsOverflowed);
        Assert.True(other.IsOverflowed);
        Assert.False(overflowed.IsCoveredBy(Write(1, 5000)));
    }

    [Fact]
    public void Equals_SamePositionsOneOverflowed_AreDifferent()
    {
        var overflowed = Enumerable.Range(0, RywToken.MaxPositions + 1).Aggregate(RywToken.None, static (t, i) => t.Merge(Write(i, 10)));
        Assert.True(RywToken.TryParse(overflowed.ToString()[..^2], out var withoutMark));

        Assert.Equal(overflowed.Positions.ToArray(), withoutMark.Positions.ToArray());
        Assert.NotEqual(overflowed, withoutMark);
        Assert.False(overflowed.IsCoveredBy(withoutMark));
        Assert.True(withoutMark.IsCoveredBy(overflowed));
    }

    [Fact]
    public void TryParse_OverflowMark_RoundTrips()
    {
        var text = $"1.w1763780000123.{Id(1)}:42.{Id(2)}:7.o";

        Assert.True(RywToken.TryParse(text.AsSpan(), out var token, out var status));
        Assert.Equal(RywTokenStatus.Valid, status);
        Assert.True(token.IsOverflowed);
        Assert.Equal(text, token.ToString());
    }

    [Fact]
    public void TryParse_TokenWithoutMark_ReadsAsBefore()
    {
        var text = $"1.w1763780000123.{Id(1)}:42";

        Assert.True(RywToken.TryParse(text, out var token));
        Assert.False(token.IsOverflowed);
        Assert.Equal(text, token.ToString());
    }

    [Theory]
    [InlineData("1.o")]
    [InlineData("1.oo")]
    [InlineData("1.{0}:1.o.o")]
    public void TryParse_MarkWithoutPositionsOrRepeated_IsMalformed(string template)
    {
        Assert.False(RywToken.TryParse(string.Format(null, template, Id(1)).AsSpan(), out _, out var status));
        Assert.Equal(RywTokenStatus.Malformed, status);
    }

    [Fact]
    public void TryParse_MarkWithWriteTimeOnly_KeepsItAsIncomplete()
    {
        // A write its sender could not capture (its capture timed out): the reader must require the primary's position.
        Assert.True(RywToken.TryParse("1.w1763780000123.o", out var token));

        Assert.True(token.IsOverflowed);
        Assert.Equal("1.w1763780000123.o", token.ToString());
    }

    [Fact]
    public void Sign_LargestOverflowedToken_FitsMaxLength()
    {
        var token = RywToken.FromWriteTime(DateTimeOffset.MaxValue.AddDays(-1));
        for (var i = 0; i < RywToken.MaxPositions + 1; i++)
        {
            token = token.Merge(RywToken.FromPosition(new ReplicationPosition(i.ToString("D40", null), long.MaxValue)));
        }

        var signed = new RywTokenSigner([new byte[32]]).Sign(token);
        var text = signed.ToString();

        Assert.True(token.IsOverflowed);
        Assert.True(text.Length <= RywToken.MaxLength, $"{text.Length} characters");
        Assert.True(RywToken.TryParse(text, out var parsed));
        Assert.Equal(token, parsed);
        Assert.Equal(RywSignatureStatus.Valid, new RywTokenSigner([new byte[32]]).Verify(parsed));
    }

    [Fact]
    public void Verify_OverflowMarkStripped_IsInvalid()
    {
        var signer = new RywTokenSigner([new byte[32]]);
        var overflowed = Enumerable.Range(0, RywToken.MaxPositions + 1).Aggregate(RywToken.None, static (t, i) => t.Merge(Write(i, 10)));
        var text = signer.Sign(overflowed).ToString();

        Assert.True(RywToken.TryParse(text.Replace(".o.s", ".s", StringComparison.Ordinal), out var stripped));

        Assert.Equal(RywSignatureStatus.Invalid, signer.Verify(stripped));
    }
}
