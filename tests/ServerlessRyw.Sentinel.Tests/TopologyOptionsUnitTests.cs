using ServerlessRyw.Topology;

namespace ServerlessRyw.Sentinel.Tests;

public sealed class TopologyOptionsUnitTests
{
    [Fact]
    public void TryParse_ConfigurationString_ReturnsSentinelsServiceAndSentinelOptions()
    {
        SentinelConfiguration? parsed = SentinelConfiguration.TryParse("127.0.0.1:26379, 127.0.0.1:26380,serviceName=mymaster,password=secret", out string? error);

        Assert.Null(error);
        Assert.Equal("mymaster", parsed!.ServiceName);
        Assert.Equal(["127.0.0.1:26379", "127.0.0.1:26380"], parsed.Sentinels);
        Assert.Null(parsed.Options.ServiceName);
        Assert.False(parsed.Options.AbortOnConnectFail);
        Assert.Equal("secret", parsed.Options.Password);
        Assert.Equal(2, parsed.Options.EndPoints.Count);
    }

    [Fact]
    public void TryParse_HostWithoutPort_UsesSentinelDefaultPort()
    {
        SentinelConfiguration? parsed = SentinelConfiguration.TryParse("sentinel-a,127.0.0.1,serviceName=svc", out _);

        Assert.Equal(["sentinel-a:26379", "127.0.0.1:26379"], parsed!.Sentinels);
    }

    [Fact]
    public void TryParse_DuplicateEndPoints_AreAskedOnce()
    {
        SentinelConfiguration? parsed = SentinelConfiguration.TryParse("127.0.0.1:26379,127.0.0.1:26379,serviceName=svc", out _);

        Assert.Single(parsed!.Sentinels);
    }

    [Theory]
    [InlineData("127.0.0.1:26379", "names no service")]
    [InlineData("serviceName=mymaster", "names no sentinel")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    public void TryParse_Unusable_ReturnsNullWithReason(string configuration, string reason)
    {
        Assert.Null(SentinelConfiguration.TryParse(configuration, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_HasNoErrorsAndIsDisabled()
    {
        var options = new RywTopologyOptions();

        Assert.Empty(options.Validate());
        Assert.False(options.IsEnabled);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RefreshInterval);
        Assert.Null(TopologyDiscovery.Create(options));
    }

    [Fact]
    public void Validate_EveryProblem_IsListed()
    {
        var options = new RywTopologyOptions
        {
            Sentinel = "127.0.0.1:26379",
            DiscoverReplicas = true,
            RefreshInterval = TimeSpan.FromMilliseconds(10),
            RefreshTimeout = TimeSpan.Zero,
        };
        options.AllowedReplicaEndPoints.Add("no-port");
        options.ReplicaHostMap["internal"] = " ";

        IReadOnlyList<string> errors = options.Validate();

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Sentinel:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("either", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'no-port'", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => TopologyDiscovery.Create(options));
    }

    [Fact]
    public void Create_DiscoverReplicasWithoutPrimary_Throws() =>
        Assert.Throws<ArgumentException>(() => TopologyDiscovery.Create(new RywTopologyOptions { DiscoverReplicas = true }));

    [Fact]
    public void Create_Sentinel_ReturnsSentinelDiscoveryWithOptions()
    {
        var options = new RywTopologyOptions { Sentinel = "127.0.0.1:26379,serviceName=svc", RefreshInterval = TimeSpan.FromSeconds(1) };

        using TopologyDiscovery? discovery = TopologyDiscovery.Create(options);

        SentinelDiscovery sentinel = Assert.IsType<SentinelDiscovery>(discovery);
        Assert.Equal("svc", sentinel.ServiceName);
        Assert.Equal(TimeSpan.FromSeconds(1), sentinel.RefreshInterval);
        Assert.Equal(TopologyStatus.Unknown, sentinel.Current.Status);
    }

    [Theory]
    [InlineData("10.0.0.1:6379", "10.0.0.1:6379")]
    [InlineData(" Host:1 ", "Host:1")]
    [InlineData("[::1]:6379", "[::1]:6379")]
    [InlineData("::1:6379", "[::1]:6379")]
    [InlineData("host", null)]
    [InlineData("host:0", null)]
    [InlineData("a:b:6379", null)]
    [InlineData(":6379", null)]
    public void Normalize_EndPointText_IsCanonicalOrNull(string text, string? expected) =>
        Assert.Equal(expected, TopologyEndPoints.Normalize(text));

    [Fact]
    public void TryAdmit_CaseInsensitiveHost_IsAllowed()
    {
        var allowList = new EndPointAllowList(["CACHE-1:6379"]);

        Assert.True(allowList.TryAdmit("cache-1", 6379, out string endPoint));
        Assert.Equal("cache-1:6379", endPoint);
        Assert.False(allowList.TryAdmit("cache-1", 6380, out _));
        Assert.True(allowList.IsRestricted);
    }

    [Fact]
    public void HasSameMembership_DifferentOrderAndOffsets_IsSame()
    {
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        var a = new TopologySnapshot(TopologySource.Sentinel, TopologyStatus.Current, "p:1", [new("b:1", "slave", 1), new("a:1", "slave", 1)], 1, null, now);
        var b = new TopologySnapshot(TopologySource.Sentinel, TopologyStatus.Current, "P:1", [new("a:1", "slave", 9), new("b:1", "slave", 9)], 2, null, now);
        var c = new TopologySnapshot(TopologySource.Sentinel, TopologyStatus.Current, "p:1", [new("a:1", "slave", 1)], 1, null, now);

        Assert.True(a.HasSameMembership(b));
        Assert.False(a.HasSameMembership(c));
        Assert.False(a.HasSameMembership(null));
        Assert.Equal("a:1", a.Replicas[0].EndPoint);
        Assert.Equal(TopologyStatus.Stale, a.AsFailed("down", 1).Status);
        Assert.Equal(TopologyStatus.Unknown, TopologySnapshot.Empty(TopologySource.Sentinel, now).AsFailed("down", 1).Status);
    }
}
