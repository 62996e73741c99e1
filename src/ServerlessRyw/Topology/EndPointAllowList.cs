namespace ServerlessRyw.Topology;

/// <summary>
/// Filters the replica addresses a server announces. Announced addresses may be internal ones (a container's, a
/// NAT'd network's) this process cannot reach, or servers that are not meant to serve reads: a host mapping
/// rewrites the host first, then only endpoints on the list (when there is one) are proposed.
/// </summary>
internal sealed class EndPointAllowList
{
    private readonly HashSet<string> _allowed;
    private readonly Dictionary<string, string> _hostMap;

    /// <summary>Creates the filter.</summary>
    /// <param name="allowedEndPoints">Exact <c>host:port</c> endpoints (after mapping); empty or <see langword="null"/> allows every endpoint.</param>
    /// <param name="hostMap">Announced host → host to connect to; <see langword="null"/> maps nothing.</param>
    /// <exception cref="ArgumentException">An allowed endpoint is not <c>host:port</c>, or a mapping is empty.</exception>
    public EndPointAllowList(IEnumerable<string>? allowedEndPoints = null, IEnumerable<KeyValuePair<string, string>>? hostMap = null)
    {
        _allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string endPoint in allowedEndPoints ?? [])
        {
            _allowed.Add(TopologyEndPoints.Normalize(endPoint)
                ?? throw new ArgumentException($"Allowed endpoint '{endPoint}' is not in the form host:port.", nameof(allowedEndPoints)));
        }

        _hostMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string from, string to) in hostMap ?? [])
        {
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
            {
                throw new ArgumentException("A host mapping needs a non-empty host on both sides.", nameof(hostMap));
            }

            _hostMap[from.Trim().Trim('[', ']')] = to.Trim().Trim('[', ']');
        }
    }

    /// <summary>A filter that maps nothing and allows everything.</summary>
    public static EndPointAllowList AllowAll { get; } = new();

    /// <summary>Whether an allow-list is set (otherwise every endpoint passes).</summary>
    public bool IsRestricted => _allowed.Count > 0;

    /// <summary>Maps the announced address and checks it against the list.</summary>
    /// <param name="host">The announced host or IP.</param>
    /// <param name="port">The announced port.</param>
    /// <param name="endPoint">The <c>host:port</c> to connect to, when allowed.</param>
    /// <returns>Whether the endpoint may be proposed.</returns>
    public bool TryAdmit(string host, int port, out string endPoint)
    {
        ArgumentNullException.ThrowIfNull(host);
        string bare = host.Trim('[', ']');
        endPoint = TopologyEndPoints.Format(_hostMap.GetValueOrDefault(bare, bare), port);
        return _allowed.Count == 0 || _allowed.Contains(endPoint);
    }
}
