using System.Globalization;

namespace ServerlessRyw;

public readonly partial struct RywToken
{
    /// <summary>The text form's version prefix.</summary>
    internal const char Version1 = '1';

    internal const char SegmentSeparator = '.';
    internal const char OffsetSeparator = ':';
    internal const char WriteTimePrefix = 'w';
    internal const char OverflowMark = 'o';

    /// <summary>The token's text form (with its signature, if it carries one), or an empty string for the empty token.</summary>
    /// <returns>The text form; <see cref="TryParse(string?, out RywToken)"/> reads it back.</returns>
    public override string ToString()
    {
        if (IsEmpty)
        {
            return string.Empty;
        }

        Span<char> buffer = stackalloc char[MaxLength];
        var written = Format(buffer);
        return new string(buffer[..written]);
    }

    /// <summary>Writes the text form into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="MaxLength"/> characters guarantee success.</param>
    /// <param name="charsWritten">How many characters were written.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        if (destination.Length >= MaxLength || destination.Length >= FormattedLength())
        {
            charsWritten = Format(destination);
            return true;
        }

        charsWritten = 0;
        return false;
    }

    private int FormattedLength()
    {
        if (IsEmpty)
        {
            return 0;
        }

        var length = 1;
        if (_lastWriteUnixMs != 0)
        {
            length += 2 + CountDigits(_lastWriteUnixMs);
        }

        foreach (var position in Positions)
        {
            length += 2 + position.ReplicationId.Length + CountDigits(position.Offset);
        }

        if (_overflowed)
        {
            length += 2;
        }

        return length + (_signature is null ? 0 : RywTokenSigner.SignaturePrefix.Length + _signature.Length);
    }

    private int Format(Span<char> destination)
    {
        if (IsEmpty)
        {
            return 0;
        }

        // The limits make the longest token fit: 1 + (2 + 19) + 16 * (2 + 40 + 19) + 2 + (2 + 22) = 1024 = MaxLength.
        var at = 0;
        destination[at++] = Version1;
        if (_lastWriteUnixMs != 0)
        {
            destination[at++] = SegmentSeparator;
            destination[at++] = WriteTimePrefix;
            _lastWriteUnixMs.TryFormat(destination[at..], out var n, default, CultureInfo.InvariantCulture);
            at += n;
        }

        foreach (var position in Positions)
        {
            destination[at++] = SegmentSeparator;
            position.ReplicationId.AsSpan().CopyTo(destination[at..]);
            at += position.ReplicationId.Length;
            destination[at++] = OffsetSeparator;
            position.Offset.TryFormat(destination[at..], out var n, default, CultureInfo.InvariantCulture);
            at += n;
        }

        if (_overflowed)
        {
            destination[at++] = SegmentSeparator;
            destination[at++] = OverflowMark;
        }

        if (_signature is not null)
        {
            RywTokenSigner.SignaturePrefix.CopyTo(destination[at..]);
            at += RywTokenSigner.SignaturePrefix.Length;
            _signature.CopyTo(destination[at..]);
            at += _signature.Length;
        }

        return at;
    }

    private static int CountDigits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
