using NpgsqlTypes;

namespace ReplicationHarness;

/// <summary>
/// A write the primary acknowledged through <see cref="PrimaryServer.ExecuteAsync"/>, as the pair's ledger keeps it:
/// a standby holds it once its replay reaches <see cref="CommitLsn"/>.
/// </summary>
/// <param name="Id">Its number in the pair's ledger, from 1.</param>
/// <param name="Sql">The statement that made it.</param>
/// <param name="CommitLsn">The end of the last WAL record the primary had written right after the commit returned: at or past the commit record's end.</param>
/// <param name="AcknowledgedTimestamp">When the commit returned, as <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>; time to visible counts from here.</param>
public sealed record AcknowledgedWrite(long Id, string Sql, NpgsqlLogSequenceNumber CommitLsn, long AcknowledgedTimestamp)
{
    // The commit position of a write acknowledged but whose position could not be read: past every real one, so no
    // standby is ever said to hold it.
    internal static readonly NpgsqlLogSequenceNumber Unplaced = new(ulong.MaxValue);
}
