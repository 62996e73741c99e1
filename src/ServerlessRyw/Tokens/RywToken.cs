namespace ServerlessRyw;

/// <summary>
/// A read-your-writes token: how far each replication history must have progressed for a replica to reflect
/// every write the caller has seen, plus the time of the caller's last write (used by window mode).
/// </summary>
/// <remarks>
/// <para><see langword="default"/> means "no token". Tokens are immutable; <see cref="Merge(RywToken)"/> keeps
/// the maximum per replication history and never goes backwards, so combining tokens in any order is safe.</para>
/// <para>Text form (version 1): <c>1[.w&lt;unix-ms&gt;][.&lt;replid&gt;:&lt;offset&gt;]*[.o]</c>, for example
/// <c>1.w1763780000000.8c3f0e…:4242</c>. It is printable ASCII, safe in HTTP headers, cookies, W3C baggage
/// values and JSON, and never longer than <see cref="MaxLength"/>.</para>
/// <para>The <c>.o</c> segment (<see cref="IsOverflowed"/>) says the token does not name every write it stands for:
/// positions were dropped to stay within <see cref="MaxPositions"/>, or the sender's capture of its last write timed
/// out. A reader then requires the primary's current position (with Redis Cluster: of every shard the token has no
/// position for). Tokens without it read exactly
/// as before; a release that predates it reads a token with it as malformed, which is also safe (it then requires
/// the primary's current position).</para>
/// </remarks>
public readonly partial struct RywToken : IEquatable<RywToken>
{
    /// <summary>The longest text form accepted or produced, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>The most replication positions one token carries (one per history or shard written).</summary>
    public const int MaxPositions = 16;

    /// <summary>The longest replication id accepted: Redis uses exactly 40 hexadecimal characters.</summary>
    public const int MaxReplicationIdLength = 40;

    // Sorted by ReplicationId (ordinal), ids distinct: equality and the text form are then canonical.
    private readonly ReplicationPosition[]? _positions;
    private readonly long _lastWriteUnixMs;

    // The HMAC of the content, when a signer made or checked it; any change of content drops it.
    private readonly string? _signature;

    // Positions were dropped at MaxPositions (part of the content: signed, compared, kept by every merge).
    private readonly bool _overflowed;

    private RywToken(ReplicationPosition[]? positions, long lastWriteUnixMs, string? signature = null, bool overflowed = false)
    {
        _positions = positions is { Length: 0 } ? null : positions;
        _lastWriteUnixMs = lastWriteUnixMs;
        _signature = _positions is null && lastWriteUnixMs == 0 ? null : signature;
        _overflowed = overflowed && (_positions is not null || lastWriteUnixMs != 0);
    }

    /// <summary>The empty token (same as <see langword="default"/>).</summary>
    public static RywToken None => default;

    /// <summary><see langword="true"/> when the token carries nothing.</summary>
    public bool IsEmpty => _positions is null && _lastWriteUnixMs == 0;

    /// <summary>
    /// Whether the token does not name every write it stands for: more than <see cref="MaxPositions"/> histories
    /// were merged (with Redis Cluster a shard without a position may have been written), or the sender's capture of
    /// a write did not answer in time. A read under it requires the primary's current position (with Redis Cluster,
    /// of every shard the token has no position for).
    /// </summary>
    public bool IsOverflowed => _overflowed;

    /// <summary>The replication positions, sorted by replication id.</summary>
    public ReadOnlySpan<ReplicationPosition> Positions => _positions;

    /// <summary>Whether the token carries a signature (see <see cref="RywTokenSigner"/>); equality ignores it.</summary>
    public bool IsSigned => _signature is not null;

    internal string? Signature => _signature;

    /// <summary>When the caller last wrote, if known; window mode reads the primary for a while after it.</summary>
    public DateTimeOffset? LastWriteAt =>
        _lastWriteUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_lastWriteUnixMs);

    /// <summary>Creates a token for one replication position.</summary>
    /// <param name="position">The position; its id must be 1–40 letters or digits and its offset not negative.</param>
    /// <param name="writtenAt">When the write happened, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The position cannot be represented in a token.</exception>
    public static RywToken FromPosition(ReplicationPosition position, DateTimeOffset? writtenAt = null)
    {
        if (!IsValidReplicationId(position.ReplicationId))
        {
            throw new ArgumentException(
                $"A replication id is 1 to {MaxReplicationIdLength} ASCII letters or digits.", nameof(position));
        }

        if (position.Offset < 0)
        {
            throw new ArgumentException("A replication offset is never negative.", nameof(position));
        }

        return new RywToken([position], ToUnixMs(writtenAt));
    }

    /// <summary>Creates a token that only records a write time (window mode, offsets unknown).</summary>
    /// <param name="writtenAt">When the write happened.</param>
    public static RywToken FromWriteTime(DateTimeOffset writtenAt) => new(null, ToUnixMs(writtenAt));

    /// <summary>Finds the offset this token requires in <paramref name="replicationId"/>'s history.</summary>
    /// <param name="replicationId">The replication history.</param>
    /// <param name="offset">The required offset, or 0 when the token has no position in that history.</param>
    /// <returns><see langword="true"/> when the token has a position in that history.</returns>
    public bool TryGetOffset(string replicationId, out long offset)
    {
        foreach (var position in Positions)
        {
            if (string.Equals(position.ReplicationId, replicationId, StringComparison.Ordinal))
            {
                offset = position.Offset;
                return true;
            }
        }

        offset = 0;
        return false;
    }

    /// <summary>Compares content (positions, write time, overflow mark); a signature does not change what a token means.</summary>
    /// <param name="other">The token to compare with.</param>
    /// <returns><see langword="true"/> when both require the same.</returns>
    public bool Equals(RywToken other)
    {
        if (_lastWriteUnixMs != other._lastWriteUnixMs || _overflowed != other._overflowed)
        {
            return false;
        }

        return Positions.SequenceEqual(other.Positions);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RywToken other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_lastWriteUnixMs);
        hash.Add(_overflowed);
        foreach (var position in Positions)
        {
            hash.Add(position);
        }

        return hash.ToHashCode();
    }

    /// <summary>Compares two tokens for equality.</summary>
    public static bool operator ==(RywToken left, RywToken right) => left.Equals(right);

    /// <summary>Compares two tokens for inequality.</summary>
    public static bool operator !=(RywToken left, RywToken right) => !left.Equals(right);

    /// <summary>This token's write time with <paramref name="positions"/> in place of its positions.</summary>
    /// <remarks>The overflow mark stays: replacing positions does not bring back the ones that were dropped.</remarks>
    internal RywToken WithPositions(ReplicationPosition[]? positions) => new(positions, _lastWriteUnixMs, overflowed: _overflowed);

    /// <summary>
    /// This token's write time with <paramref name="positions"/> (sorted by id, distinct) and the overflow mark as
    /// given: for a caller that has just required the current position of every history a dropped position could name.
    /// </summary>
    internal RywToken WithPositions(ReplicationPosition[]? positions, bool overflowed) => new(positions, _lastWriteUnixMs, overflowed: overflowed);

    /// <summary>
    /// This token marked as not naming its sender's last write (see <see cref="IsOverflowed"/>), with a write time of
    /// at least <paramref name="writtenBy"/> so the mark survives even when no position is known yet.
    /// </summary>
    internal RywToken AsIncomplete(DateTimeOffset writtenBy) =>
        new(_positions, Math.Max(_lastWriteUnixMs, ToUnixMs(writtenBy)), overflowed: true);

    /// <summary>The same content with <paramref name="signature"/> attached (or none).</summary>
    internal RywToken WithSignature(string? signature) => new(_positions, _lastWriteUnixMs, signature, _overflowed);

    /// <summary>This token with its write time moved back to <paramref name="latest"/> if it is later.</summary>
    internal RywToken WithWriteTimeAtMost(DateTimeOffset latest)
    {
        var limit = ToUnixMs(latest);
        return _lastWriteUnixMs > limit ? new RywToken(_positions, limit, overflowed: _overflowed) : this;
    }

    internal static bool IsValidReplicationId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxReplicationIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static long ToUnixMs(DateTimeOffset? at) => at is { } value ? Math.Max(1, value.ToUnixTimeMilliseconds()) : 0;
}
