namespace ServerlessRyw;

public readonly partial struct RywToken
{
    /// <summary>
    /// Combines two tokens: per replication history the larger offset, and the later write time.
    /// An empty token never erases a known one, and the result never goes backwards.
    /// </summary>
    /// <param name="other">The token to merge in.</param>
    /// <returns>A token at least as far as both inputs.</returns>
    /// <remarks>
    /// When the union holds more than <see cref="MaxPositions"/> histories, the ones with the smallest offsets
    /// are dropped (after a failover the new history continues the old offsets, so the smallest offsets belong to
    /// the oldest histories) and the result is marked <see cref="IsOverflowed"/>: with Redis Cluster a dropped
    /// position can be another shard's latest write, so a cluster read then requires the current position of every
    /// shard the token does not name. Every later merge keeps the mark.
    /// </remarks>
    public RywToken Merge(RywToken other)
    {
        // Returning an input unchanged whenever it already covers the other keeps its signature valid.
        if (Dominates(this, other))
        {
            return this;
        }

        if (Dominates(other, this))
        {
            return other;
        }

        var lastWrite = Math.Max(_lastWriteUnixMs, other._lastWriteUnixMs);
        var positions = MergePositions(Positions, other.Positions, out var dropped);
        return new RywToken(positions, lastWrite, overflowed: dropped || _overflowed || other._overflowed);
    }

    /// <summary>Whether this token requires nothing beyond <paramref name="other"/>.</summary>
    /// <param name="other">The token to compare with.</param>
    /// <returns><see langword="true"/> when merging this token into <paramref name="other"/> changes nothing.</returns>
    public bool IsCoveredBy(RywToken other) => Dominates(other, this);

    private static bool Dominates(in RywToken big, in RywToken small)
    {
        if (small._lastWriteUnixMs > big._lastWriteUnixMs || (small._overflowed && !big._overflowed))
        {
            return false;
        }

        foreach (var position in small.Positions)
        {
            if (!big.TryGetOffset(position.ReplicationId, out var offset) || offset < position.Offset)
            {
                return false;
            }
        }

        return true;
    }

    private static ReplicationPosition[]? MergePositions(
        ReadOnlySpan<ReplicationPosition> left, ReadOnlySpan<ReplicationPosition> right, out bool dropped)
    {
        dropped = false;
        if (left.IsEmpty)
        {
            return right.IsEmpty ? null : right.ToArray();
        }

        if (right.IsEmpty)
        {
            return left.ToArray();
        }

        // Both inputs are sorted by id: a merge walk keeps the result sorted without a sort.
        var merged = new List<ReplicationPosition>(left.Length + right.Length);
        int i = 0, j = 0;
        while (i < left.Length || j < right.Length)
        {
            if (j >= right.Length)
            {
                merged.Add(left[i++]);
                continue;
            }

            if (i >= left.Length)
            {
                merged.Add(right[j++]);
                continue;
            }

            var order = string.CompareOrdinal(left[i].ReplicationId, right[j].ReplicationId);
            if (order == 0)
            {
                merged.Add(left[i].Offset >= right[j].Offset ? left[i] : right[j]);
                i++;
                j++;
            }
            else
            {
                merged.Add(order < 0 ? left[i++] : right[j++]);
            }
        }

        if (merged.Count > MaxPositions)
        {
            dropped = true;
            merged.Sort(static (a, b) => b.Offset.CompareTo(a.Offset));
            merged.RemoveRange(MaxPositions, merged.Count - MaxPositions);
            merged.Sort(static (a, b) => string.CompareOrdinal(a.ReplicationId, b.ReplicationId));
        }

        return [.. merged];
    }
}
