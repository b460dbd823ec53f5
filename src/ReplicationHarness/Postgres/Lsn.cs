using System.Globalization;
using NpgsqlTypes;

namespace ReplicationHarness.Postgres;

/// <summary>
/// A WAL position (<c>pg_lsn</c>), written <c>16/B374D848</c>. Byte distances are computed from two of
/// these, never from their text.
/// </summary>
internal readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    /// <summary>The invalid position <c>0/0</c>.</summary>
    public static Lsn Zero => new(0);

    /// <summary>
    /// The position Npgsql read from a <c>pg_lsn</c> value (sent in binary, so no text is parsed); Npgsql's
    /// invalid position <c>0/0</c> becomes <see cref="Zero"/>.
    /// </summary>
    public static Lsn From(NpgsqlLogSequenceNumber lsn) => new((ulong)lsn);

    /// <summary>Parses <c>XXX/XXXXXXXX</c>; false when the text is not an LSN.</summary>
    public static bool TryParse(string? text, out Lsn lsn)
    {
        lsn = Zero;
        var slash = text?.IndexOf('/') ?? -1;
        if (text is null || slash <= 0 || slash > 8 || text.Length - slash - 1 is < 1 or > 8)
            return false;
        if (!uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
            return false;
        lsn = new Lsn(((ulong)high << 32) | low);
        return true;
    }

    /// <summary>Parses an LSN or throws <see cref="FormatException"/> quoting the text.</summary>
    public static Lsn Parse(string text) =>
        TryParse(text, out var lsn) ? lsn : throw new FormatException($"'{text}' is not a WAL position (expected e.g. 0/3000148)");

    /// <summary>Bytes of WAL from <paramref name="older"/> to <paramref name="newer"/>; 0 when older is not behind.</summary>
    public static long BytesBetween(Lsn older, Lsn newer) => newer.Value > older.Value ? (long)(newer.Value - older.Value) : 0;

    /// <summary>
    /// The end of the last WAL record written before <paramref name="insert"/> (<c>pg_current_wal_insert_lsn()</c>): the
    /// insert position sits past the header of a page (24 bytes) or of a segment (40 bytes) when the last record
    /// filled its page, and a standby's replay position stops at the page's end until a later record arrives.
    /// </summary>
    /// <param name="insert">The insert position.</param>
    /// <param name="blockSize"><c>wal_block_size</c> in bytes.</param>
    /// <param name="segmentSize"><c>wal_segment_size</c> in bytes.</param>
    public static Lsn LastRecordEnd(Lsn insert, int blockSize, long segmentSize)
    {
        const ulong ShortPageHeader = 24, LongPageHeader = 40;
        if (insert.Value % (ulong)segmentSize == LongPageHeader)
            return new Lsn(insert.Value - LongPageHeader);
        return insert.Value % (ulong)blockSize == ShortPageHeader ? new Lsn(insert.Value - ShortPageHeader) : insert;
    }

    /// <inheritdoc />
    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    /// <summary>True when the left position is later.</summary>
    public static bool operator >(Lsn left, Lsn right) => left.Value > right.Value;

    /// <summary>True when the left position is earlier.</summary>
    public static bool operator <(Lsn left, Lsn right) => left.Value < right.Value;

    /// <summary>True when the left position is later or the same.</summary>
    public static bool operator >=(Lsn left, Lsn right) => left.Value >= right.Value;

    /// <summary>True when the left position is earlier or the same.</summary>
    public static bool operator <=(Lsn left, Lsn right) => left.Value <= right.Value;

    /// <summary>PostgreSQL's text form.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Value >> 32:X}/{Value & 0xFFFFFFFF:X}");
}
