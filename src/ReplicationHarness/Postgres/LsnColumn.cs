using Npgsql;
using NpgsqlTypes;

namespace ReplicationHarness.Postgres;

/// <summary>Reads a <c>pg_lsn</c> column as the <see cref="Lsn"/> it is, in Npgsql's binary form rather than through text.</summary>
internal static class LsnColumn
{
    /// <summary>The column's position; Npgsql throws when it is SQL NULL.</summary>
    public static Lsn Read(NpgsqlDataReader reader, int ordinal) => Lsn.From(reader.GetFieldValue<NpgsqlLogSequenceNumber>(ordinal));

    /// <summary>The column's position, or null for SQL NULL (a standby's own function read on a primary, or before it has received anything).</summary>
    public static Lsn? ReadNullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Read(reader, ordinal);
}
