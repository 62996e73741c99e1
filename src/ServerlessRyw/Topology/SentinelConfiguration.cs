using StackExchange.Redis;

namespace ServerlessRyw.Topology;

/// <summary>
/// The sentinels and service name from a StackExchange.Redis-style configuration string such as
/// <c>"127.0.0.1:26379,127.0.0.1:26380,serviceName=mymaster"</c>; other options (password, ssl, user, ...) pass through.
/// </summary>
internal sealed class SentinelConfiguration
{
    private SentinelConfiguration(string serviceName, IReadOnlyList<string> sentinels, ConfigurationOptions options)
    {
        ServiceName = serviceName;
        Sentinels = sentinels;
        Options = options;
    }

    /// <summary>The monitored master's name (<c>serviceName=</c>).</summary>
    public string ServiceName { get; }

    /// <summary>The sentinel endpoints, as <c>host:port</c> in the order given (26379 when no port was given).</summary>
    public IReadOnlyList<string> Sentinels { get; }

    /// <summary>
    /// Options to connect to the sentinels themselves: Sentinel's command map, no service name (with one,
    /// StackExchange.Redis would connect to the monitored primary instead), never aborting on a failed connect.
    /// </summary>
    public ConfigurationOptions Options { get; }

    /// <summary>Parses <paramref name="configuration"/>; <see langword="null"/> with <paramref name="error"/> set when it is unusable.</summary>
    public static SentinelConfiguration? TryParse(string? configuration, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(configuration))
        {
            error = "The sentinel configuration string is empty.";
            return null;
        }

        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            error = $"The sentinel configuration string does not parse: {exception.Message}";
            return null;
        }

        string? serviceName = options.ServiceName;
        if (string.IsNullOrWhiteSpace(serviceName))
        {
            error = "The sentinel configuration string names no service: add serviceName=<master name>.";
            return null;
        }

        var sentinels = new List<string>();
        var endPoints = new EndPointCollection();
        foreach (System.Net.EndPoint endPoint in options.EndPoints)
        {
            // A host without a port parses as port 0: a sentinel's default port is 26379, not Redis' 6379.
            System.Net.EndPoint withPort = endPoint switch
            {
                System.Net.DnsEndPoint { Port: 0 } dns => new System.Net.DnsEndPoint(dns.Host, TopologyEndPoints.DefaultSentinelPort),
                System.Net.IPEndPoint { Port: 0 } ip => new System.Net.IPEndPoint(ip.Address, TopologyEndPoints.DefaultSentinelPort),
                _ => endPoint,
            };
            string text = TopologyEndPoints.Format(withPort);
            if (!sentinels.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                sentinels.Add(text);
                endPoints.Add(withPort);
            }
        }

        if (sentinels.Count == 0)
        {
            error = "The sentinel configuration string names no sentinel endpoint.";
            return null;
        }

        options.EndPoints.Clear();
        foreach (System.Net.EndPoint endPoint in endPoints)
        {
            options.EndPoints.Add(endPoint);
        }

        options.ServiceName = null;
        options.CommandMap = CommandMap.Sentinel;
        options.AbortOnConnectFail = false;
        options.TieBreaker = string.Empty;
        return new SentinelConfiguration(serviceName.Trim(), sentinels, options);
    }
}
