namespace ServerlessRyw;

/// <summary>
/// The replication ids parsed lately, so that parsing a token does not allocate its id again: a process sees very few
/// histories (one per primary, a second after a failover), and every incoming token names them.
/// </summary>
/// <remarks>
/// A fixed table indexed by hash; a colliding or forged id only replaces an entry, so the table never grows, and a
/// reader either finds an equal string or makes its own. Entries are immutable strings, written and read whole.
/// </remarks>
internal static class ReplicationIdCache
{
    private const int Size = 64;
    private static readonly string?[] Entries = new string?[Size];

    /// <summary>A string equal to <paramref name="id"/>: a cached one when the id was seen lately.</summary>
    public static string Get(ReadOnlySpan<char> id)
    {
        var slot = (int)((uint)string.GetHashCode(id, StringComparison.Ordinal) % Size);
        if (Volatile.Read(ref Entries[slot]) is { } cached && id.SequenceEqual(cached))
        {
            return cached;
        }

        var created = id.ToString();
        Volatile.Write(ref Entries[slot], created);
        return created;
    }
}
