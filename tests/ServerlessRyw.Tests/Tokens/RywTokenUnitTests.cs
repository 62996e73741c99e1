namespace ServerlessRyw.Tests.Tokens;

public sealed class RywTokenUnitTests
{
    private const string IdA = "8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e";
    private const string IdB = "1111111111111111111111111111111111111111";

    [Fact]
    public void Default_IsEmptyAndFormatsAsEmptyString()
    {
        RywToken token = default;

        Assert.True(token.IsEmpty);
        Assert.Equal(string.Empty, token.ToString());
        Assert.Equal(RywToken.None, token);
        Assert.Null(token.LastWriteAt);
    }

    [Fact]
    public void ToString_ThenTryParse_RoundTrips()
    {
        var written = DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_000_123);
        var token = RywToken.FromPosition(new ReplicationPosition(IdA, 4242), written)
            .Merge(RywToken.FromPosition(new ReplicationPosition(IdB, 7)));

        var text = token.ToString();

        Assert.Equal($"1.w1763780000123.{IdB}:7.{IdA}:4242", text);
        Assert.True(RywToken.TryParse(text, out var parsed));
        Assert.Equal(token, parsed);
        Assert.Equal(written, parsed.LastWriteAt);
    }

    [Theory]
    [InlineData(null, RywTokenStatus.Empty)]
    [InlineData("", RywTokenStatus.Empty)]
    [InlineData("   ", RywTokenStatus.Empty)]
    [InlineData("1", RywTokenStatus.Malformed)]
    [InlineData("1.", RywTokenStatus.Malformed)]
    [InlineData("2.abc:1", RywTokenStatus.UnsupportedVersion)]
    [InlineData("17.abc:1", RywTokenStatus.UnsupportedVersion)]
    [InlineData("x.abc:1", RywTokenStatus.Malformed)]
    [InlineData("1.abc", RywTokenStatus.Malformed)]
    [InlineData("1.abc:", RywTokenStatus.Malformed)]
    [InlineData("1.abc:-1", RywTokenStatus.Malformed)]
    [InlineData("1.abc:+1", RywTokenStatus.Malformed)]
    [InlineData("1.abc:1.", RywTokenStatus.Malformed)]
    [InlineData("1..abc:1", RywTokenStatus.Malformed)]
    [InlineData("1.ab-c:1", RywTokenStatus.Malformed)]
    [InlineData("1.abc:99999999999999999999", RywTokenStatus.Malformed)]
    [InlineData("1.abc:9223372036854775808", RywTokenStatus.Malformed)]
    [InlineData("1.w0", RywTokenStatus.Malformed)]
    [InlineData("1.w1.w2", RywTokenStatus.Malformed)]
    [InlineData("1.wabc", RywTokenStatus.Malformed)]
    [InlineData("1.w253402300800000", RywTokenStatus.Malformed)]
    [InlineData("1.w9223372036854775807", RywTokenStatus.Malformed)]
    [InlineData("1.w253402300799999", RywTokenStatus.Valid)]
    [InlineData("1.é:1", RywTokenStatus.Malformed)]
    [InlineData("1.abc:１", RywTokenStatus.Malformed)]
    [InlineData("1.abc:9223372036854775807", RywTokenStatus.Valid)]
    [InlineData(" 1.abc:5 ", RywTokenStatus.Valid)]
    [InlineData("1.w5", RywTokenStatus.Valid)]
    public void TryParse_Input_ReportsStatus(string? text, RywTokenStatus expected)
    {
        var ok = RywToken.TryParse(text.AsSpan(), out var token, out var status);

        Assert.Equal(expected, status);
        Assert.Equal(expected == RywTokenStatus.Valid, ok);
        Assert.Equal(expected == RywTokenStatus.Valid, !token.IsEmpty);
    }

    [Fact]
    public void TryParse_LongerThanLimit_IsTooLong()
    {
        var text = "1." + new string('a', 40) + ":" + new string('1', RywToken.MaxLength);

        Assert.False(RywToken.TryParse(text, out RywToken token, out var status));
        Assert.Equal(RywTokenStatus.TooLong, status);
        Assert.True(token.IsEmpty);
    }

    [Fact]
    public void TryParse_ReplicationIdLongerThan40_IsMalformed()
    {
        Assert.False(RywToken.TryParse("1." + new string('a', 41) + ":1", out RywToken _, out var status));

        Assert.Equal(RywTokenStatus.Malformed, status);
    }

    [Fact]
    public void TryParse_MorePositionsThanLimit_IsTooManyPositions()
    {
        var positions = Enumerable.Range(0, RywToken.MaxPositions + 1).Select(i => $"id{i}:{i}");

        Assert.False(RywToken.TryParse("1." + string.Join('.', positions), out RywToken _, out var status));

        Assert.Equal(RywTokenStatus.TooManyPositions, status);
    }

    [Fact]
    public void TryParse_RepeatedHistory_KeepsLargerOffset()
    {
        Assert.True(RywToken.TryParse("1.abc:5.abc:9.abc:2", out var token));

        Assert.True(token.TryGetOffset("abc", out var offset));
        Assert.Equal(9, offset);
        Assert.Equal(1, token.Positions.Length);
    }

    [Fact]
    public void TryParse_RandomInput_NeverThrows()
    {
        var random = new Random(20261122);
        const string alphabet = "0123456789abcdefw.:-,;= é\u0000\uffff19999999";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 120)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(4) == 0 ? (char)random.Next(0, 0xFFFF) : alphabet[random.Next(alphabet.Length)];
            }

            var text = (random.Next(3) == 0 ? "1." : string.Empty) + new string(chars);
            var ok = RywToken.TryParse(text.AsSpan(), out var token, out var status);

            Assert.Equal(ok, status == RywTokenStatus.Valid);
            if (ok)
            {
                _ = token.LastWriteAt; // every accessor works on whatever parsed

                // Whatever parses formats canonically and parses back to the same token.
                Assert.True(RywToken.TryParse(token.ToString(), out var again));
                Assert.Equal(token, again);
                Assert.True(token.ToString().Length <= RywToken.MaxLength);
            }
        }
    }

    [Fact]
    public void Parse_Garbage_ThrowsFormatException() =>
        Assert.Throws<FormatException>(() => RywToken.Parse("1.not a token"));

    [Fact]
    public void Merge_SameHistory_KeepsMaximumEitherOrder()
    {
        var low = RywToken.FromPosition(new ReplicationPosition(IdA, 10));
        var high = RywToken.FromPosition(new ReplicationPosition(IdA, 20));

        Assert.Equal(high, low.Merge(high));
        Assert.Equal(high, high.Merge(low));
    }

    [Fact]
    public void Merge_EmptyNeverErasesKnownToken()
    {
        var token = RywToken.FromPosition(new ReplicationPosition(IdA, 10), DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.Equal(token, token.Merge(default));
        Assert.Equal(token, RywToken.None.Merge(token));
    }

    [Fact]
    public void Merge_DifferentHistories_KeepsBothAndLaterWriteTime()
    {
        var early = DateTimeOffset.FromUnixTimeMilliseconds(1_000);
        var late = DateTimeOffset.FromUnixTimeMilliseconds(2_000);
        var a = RywToken.FromPosition(new ReplicationPosition(IdA, 10), late);
        var b = RywToken.FromPosition(new ReplicationPosition(IdB, 99), early);

        var merged = a.Merge(b);

        Assert.True(merged.TryGetOffset(IdA, out var offsetA));
        Assert.True(merged.TryGetOffset(IdB, out var offsetB));
        Assert.Equal((10, 99), (offsetA, offsetB));
        Assert.Equal(late, merged.LastWriteAt);
        Assert.Equal(merged, b.Merge(a));
    }

    [Fact]
    public void Merge_RandomSequences_NeverRegressesAndIsOrderIndependent()
    {
        var random = new Random(7);
        string[] ids = [IdA, IdB, "2222222222222222222222222222222222222222"];
        for (var round = 0; round < 500; round++)
        {
            var tokens = Enumerable.Range(0, 6)
                .Select(_ => random.Next(4) == 0
                    ? RywToken.None
                    : RywToken.FromPosition(new ReplicationPosition(ids[random.Next(ids.Length)], random.Next(0, 1000))))
                .ToArray();

            var forward = RywToken.None;
            foreach (var token in tokens)
            {
                var next = forward.Merge(token);
                Assert.True(forward.IsCoveredBy(next));
                Assert.True(token.IsCoveredBy(next));
                forward = next;
            }

            var backward = tokens.Reverse().Aggregate(RywToken.None, (acc, t) => acc.Merge(t));
            Assert.Equal(forward, backward);
        }
    }

    [Fact]
    public void Merge_MoreHistoriesThanLimit_KeepsHighestOffsetsWithinLimit()
    {
        var token = RywToken.None;
        for (var i = 0; i < RywToken.MaxPositions + 4; i++)
        {
            token = token.Merge(RywToken.FromPosition(new ReplicationPosition($"h{i:D2}", 100 + i)));
        }

        Assert.Equal(RywToken.MaxPositions, token.Positions.Length);
        Assert.False(token.TryGetOffset("h00", out _));
        Assert.True(token.TryGetOffset($"h{RywToken.MaxPositions + 3:D2}", out _));
        Assert.True(token.ToString().Length <= RywToken.MaxLength);
    }

    [Fact]
    public void TryFormat_LargestPossibleToken_FitsMaxLength()
    {
        var token = RywToken.FromWriteTime(DateTimeOffset.MaxValue);
        for (var i = 0; i < RywToken.MaxPositions; i++)
        {
            token = token.Merge(RywToken.FromPosition(new ReplicationPosition(i.ToString("D40", null), long.MaxValue)));
        }

        Span<char> buffer = stackalloc char[RywToken.MaxLength];
        Assert.True(token.TryFormat(buffer, out var written));
        Assert.True(RywToken.TryParse(buffer[..written], out var parsed, out _));
        Assert.Equal(token, parsed);
    }

    [Fact]
    public void TryFormat_DestinationTooSmall_ReturnsFalse()
    {
        var token = RywToken.FromPosition(new ReplicationPosition(IdA, 1));

        Assert.False(token.TryFormat(new char[10], out var written));
        Assert.Equal(0, written);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("x")]
    public void FromPosition_InvalidInput_Throws(string id)
    {
        var offset = id == "x" ? -1 : 1;
        Assert.Throws<ArgumentException>(() => RywToken.FromPosition(new ReplicationPosition(id, offset)));
    }
}
