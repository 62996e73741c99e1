using ServerlessRyw.Propagation;
using ServerlessRyw.TestSupport;

namespace ServerlessRyw.Tests.Propagation;

public sealed class RywPropagatorUnitTests
{
    private const string IdA = "8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e";
    private const string IdB = "1111111111111111111111111111111111111111";

    private static readonly RywToken Low = RywToken.FromPosition(new ReplicationPosition(IdA, 10));
    private static readonly RywToken High = RywToken.FromPosition(new ReplicationPosition(IdA, 500));
    private static readonly RywToken Other = RywToken.FromPosition(new ReplicationPosition(IdB, 7));

    [Fact]
    public void HeaderNames_ArePublicContract()
    {
        Assert.Equal("Ryw-Token", RywHeaderNames.Token);
        Assert.Equal("ryw.token", RywHeaderNames.BaggageKey);
        Assert.Equal("baggage", RywHeaderNames.Baggage);
        Assert.Equal([RywHeaderNames.Token], RywPropagator.Default.Fields);
        Assert.Equal([RywHeaderNames.Token, RywHeaderNames.Baggage], Baggage().Fields);
    }

    [Fact]
    public void Inject_Token_SetsTheTokenText()
    {
        var carrier = new Carrier();

        RywPropagator.Default.Inject(High, carrier, Carrier.Set);

        Assert.Equal([High.ToString()], carrier.Get(RywHeaderNames.Token));
        Assert.Single(carrier.Fields);
    }

    [Fact]
    public void Inject_EmptyToken_WritesNothing()
    {
        var carrier = new Carrier();

        RywPropagator.Default.Inject(RywToken.None, carrier, Carrier.Set);
        Baggage().InjectBaggage(RywToken.None, carrier, Carrier.Get, Carrier.Set);

        Assert.Empty(carrier.Fields);
    }

    [Fact]
    public void Inject_ThenExtract_RoundTrips()
    {
        var carrier = new Carrier();
        var token = High.Merge(Other).Merge(RywToken.FromWriteTime(DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_000_000)));

        RywPropagator.Default.Inject(token, carrier, Carrier.Set);
        var extraction = RywPropagator.Default.Extract(carrier, Carrier.Get);

        Assert.Equal(token, extraction.Token);
        Assert.Equal(RywTokenStatus.Valid, extraction.Status);
        Assert.Equal(1, extraction.ValueCount);
    }

    [Fact]
    public void Extract_Nothing_IsEmpty()
    {
        var extraction = RywPropagator.Default.Extract(new Carrier(), Carrier.Get);

        Assert.True(extraction.Token.IsEmpty);
        Assert.Equal(RywTokenStatus.Empty, extraction.Status);
        Assert.Equal(0, extraction.ValueCount);
    }

    [Fact]
    public void Extract_RepeatedHeaders_TakesTheMaximumInAnyOrder()
    {
        var forward = new Carrier().Add(RywHeaderNames.Token, Low.ToString(), High.ToString(), Other.ToString());
        var backward = new Carrier().Add(RywHeaderNames.Token, Other.ToString(), High.ToString(), Low.ToString());

        var a = RywPropagator.Default.Extract(forward, Carrier.Get);
        var b = RywPropagator.Default.Extract(backward, Carrier.Get);

        Assert.Equal(High.Merge(Other), a.Token);
        Assert.Equal(a.Token, b.Token);
        Assert.Equal(3, a.ValueCount);
    }

    [Fact]
    public void Extract_CommaSeparatedValues_TakesTheMaximum()
    {
        var carrier = new Carrier().Add(RywHeaderNames.Token, $" {Low} , {High},,");

        var extraction = RywPropagator.Default.Extract(carrier, Carrier.Get);

        Assert.Equal(High, extraction.Token);
        Assert.Equal(2, extraction.ValueCount);
        Assert.Equal(RywTokenStatus.Valid, extraction.Status);
    }

    [Theory]
    [InlineData("garbage", RywTokenStatus.Malformed)]
    [InlineData("7.abc:1", RywTokenStatus.UnsupportedVersion)]
    public void Extract_BadValueAmongGood_KeepsTheGoodAndReportsTheBad(string bad, RywTokenStatus expected)
    {
        var carrier = new Carrier().Add(RywHeaderNames.Token, High.ToString(), bad);

        var extraction = RywPropagator.Default.Extract(carrier, Carrier.Get);

        Assert.Equal(High, extraction.Token);
        Assert.Equal(expected, extraction.Status);
        Assert.Equal(2, extraction.ValueCount);
    }

    [Fact]
    public void Extract_OversizedValue_IsTooLongAndNeverThrows()
    {
        var carrier = new Carrier().Add(RywHeaderNames.Token, "1." + new string('a', 100_000) + ":1");

        var extraction = RywPropagator.Default.Extract(carrier, Carrier.Get);

        Assert.True(extraction.Token.IsEmpty);
        Assert.Equal(RywTokenStatus.TooLong, extraction.Status);
    }

    [Fact]
    public void Extract_GetterThrows_CountsAsNothingFound()
    {
        var extraction = RywPropagator.Default.Extract<object?>(null, (_, _) => throw new InvalidOperationException("broken carrier"));

        Assert.Equal(RywTokenStatus.Empty, extraction.Status);
        Assert.True(extraction.Token.IsEmpty);
    }

    [Fact]
    public void Extract_SequenceThrowsHalfway_KeepsWhatCameBefore()
    {
        IEnumerable<string> Values()
        {
            yield return High.ToString();
            throw new InvalidOperationException("broken enumerator");
        }

        var extraction = RywPropagator.Default.Extract<object?>(null, (_, name) => name == RywHeaderNames.Token ? Values() : null);

        Assert.Equal(High, extraction.Token);
    }

    [Fact]
    public void Extract_BaggageOff_IgnoresTheBaggageEntry()
    {
        var carrier = new Carrier().Add(RywHeaderNames.Baggage, $"ryw.token={High}");

        Assert.Equal(RywTokenStatus.Empty, RywPropagator.Default.Extract(carrier, Carrier.Get).Status);
    }

    [Fact]
    public void Extract_BaggageOn_MergesTheBaggageEntryWithTheHeader()
    {
        var carrier = new Carrier()
            .Add(RywHeaderNames.Token, Low.ToString())
            .Add(RywHeaderNames.Baggage, $"userId=alice, ryw.token = {High} ;prop=1", $"ryw.token={Other.ToString().Replace(":", "%3A", StringComparison.Ordinal)}");

        var extraction = Baggage().Extract(carrier, Carrier.Get);

        Assert.Equal(High.Merge(Other), extraction.Token);
        Assert.Equal(3, extraction.ValueCount);
        Assert.Equal(RywTokenStatus.Valid, extraction.Status);
    }

    [Theory]
    [InlineData("ryw.token=%ZZ")]
    [InlineData("ryw.token=caf\u00e9")]
    [InlineData("ryw.token=")]
    public void Extract_BadBaggageValue_IsReportedNotThrown(string baggage)
    {
        var carrier = new Carrier().Add(RywHeaderNames.Baggage, baggage);

        var extraction = Baggage().Extract(carrier, Carrier.Get);

        Assert.True(extraction.Token.IsEmpty);
        Assert.NotEqual(RywTokenStatus.Valid, extraction.Status);
    }

    [Fact]
    public void InjectBaggage_Off_WritesNothing()
    {
        var carrier = new Carrier();

        Assert.False(RywPropagator.Default.InjectBaggage(High, carrier, Carrier.Get, Carrier.Set));
        Assert.Empty(carrier.Fields);
    }

    [Fact]
    public void InjectBaggage_KeepsOtherEntriesAndReplacesTheOldTokenWithTheMaximum()
    {
        var carrier = new Carrier().Add(RywHeaderNames.Baggage, $"userId=alice;p=1, ryw.token={Low}", "tenant=t%201");

        Assert.True(Baggage().InjectBaggage(High, carrier, Carrier.Get, Carrier.Set));

        Assert.Equal([$"userId=alice;p=1,tenant=t%201,ryw.token={High}"], carrier.Get(RywHeaderNames.Baggage));
        Assert.Equal(High, Baggage().Extract(carrier, Carrier.Get).Token);
    }

    [Fact]
    public void InjectBaggage_UpstreamTokenIsNewer_KeepsTheNewer()
    {
        var carrier = new Carrier().Add(RywHeaderNames.Baggage, $"ryw.token={High}");

        Baggage().InjectBaggage(Low.Merge(Other), carrier, Carrier.Get, Carrier.Set);

        Assert.Equal(High.Merge(Other), Baggage().Extract(carrier, Carrier.Get).Token);
    }

    [Fact]
    public void InjectBaggage_BeyondW3cLimits_LeavesBaggageAlone()
    {
        var full = string.Join(",", Enumerable.Range(0, 64).Select(i => $"k{i}=v"));
        var huge = "k=" + new string('v', 8150);
        var fullCarrier = new Carrier().Add(RywHeaderNames.Baggage, full);
        var hugeCarrier = new Carrier().Add(RywHeaderNames.Baggage, huge);

        Assert.False(Baggage().InjectBaggage(High, fullCarrier, Carrier.Get, Carrier.Set));
        Assert.False(Baggage().InjectBaggage(High, hugeCarrier, Carrier.Get, Carrier.Set));

        Assert.Equal([full], fullCarrier.Get(RywHeaderNames.Baggage));
        Assert.Equal([huge], hugeCarrier.Get(RywHeaderNames.Baggage));
    }

    [Fact]
    public void ExtractInto_ImportsEveryValueAndCountsTheBadOnes()
    {
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();
        var carrier = new Carrier().Add(RywHeaderNames.Token, $"{Low},{High}", "garbage", "8.x");

        var status = RywPropagator.Default.ExtractInto(session, carrier, Carrier.Get);

        Assert.Equal(RywTokenStatus.Malformed, status);
        Assert.Equal(High, session.Token);
        var stats = offline.Client.Statistics;
        Assert.Equal(1, stats[RywTokenRejection.Malformed]);
        Assert.Equal(1, stats[RywTokenRejection.UnsupportedVersion]);
    }

    [Fact]
    public void ExtractInto_Nothing_LeavesTheSessionAlone()
    {
        using var offline = new OfflineClient();
        var session = offline.Client.CreateSession();

        var status = RywPropagator.Default.ExtractInto(session, new Carrier(), Carrier.Get);

        Assert.Equal(RywTokenStatus.Empty, status);
        Assert.True(session.Token.IsEmpty);
        Assert.Equal(0, offline.Client.Statistics[RywTokenRejection.Malformed]);
    }

    private static RywPropagator Baggage() => new(new RywPropagatorOptions { Baggage = true });

    /// <summary>A case-insensitive multi-valued text map, like HTTP headers.</summary>
    private sealed class Carrier
    {
        public Dictionary<string, List<string>> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The getter delegate's shape.")]
        public static IEnumerable<string>? Get(Carrier carrier, string name) => carrier.Get(name);

        public static void Set(Carrier carrier, string name, string value) => carrier.Fields[name] = [value];

        public List<string>? Get(string name) => Fields.GetValueOrDefault(name);

        public Carrier Add(string name, params string[] values)
        {
            if (!Fields.TryGetValue(name, out var list))
            {
                Fields[name] = list = [];
            }

            list.AddRange(values);
            return this;
        }
    }
}
