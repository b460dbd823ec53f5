using ReplicationHarness.Actors;

namespace ReplicationHarness.Writes;

/// <summary>A write the primary acknowledged: the client was told it committed, so it must survive a failover.</summary>
/// <param name="WriteId">The id its rows carry.</param>
/// <param name="Table">The table written.</param>
/// <param name="Kind">Insert of new rows, or update of every row (which re-marks them with this id).</param>
/// <param name="Rows">Rows inserted or updated, as the server reported.</param>
/// <param name="AckTimestamp">When the acknowledgement arrived (Stopwatch ticks).</param>
internal sealed record LedgerWrite(long WriteId, string Table, WriteKind Kind, int Rows, long AckTimestamp);
