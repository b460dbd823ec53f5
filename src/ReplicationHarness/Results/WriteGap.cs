namespace ReplicationHarness.Results;

/// <summary>
/// Acknowledged writes compared with what a promoted standby holds: what a failover lost. In synchronous
/// replication nothing acknowledged may be missing; in asynchronous replication the gap is the price.
/// </summary>
/// <param name="AcknowledgedWrites">Writes the old primary acknowledged.</param>
/// <param name="AcknowledgedRows">Rows those writes inserted or updated.</param>
/// <param name="LostWrites">Acknowledged writes with rows missing on the new primary.</param>
/// <param name="LostRows">Rows missing, summed over those writes.</param>
/// <param name="FirstLostAckedAt">When the earliest lost write was acknowledged (from the scenario's start), if any was lost.</param>
/// <param name="LastAckedAt">When the last acknowledgement arrived, if any write was acknowledged.</param>
/// <param name="UnacknowledgedPresent">Write ids on the new primary the harness never saw acknowledged: commits whose acknowledgement the crash cut off.</param>
internal sealed record WriteGap(int AcknowledgedWrites, long AcknowledgedRows, int LostWrites, long LostRows, TimeSpan? FirstLostAckedAt, TimeSpan? LastAckedAt, int UnacknowledgedPresent);
