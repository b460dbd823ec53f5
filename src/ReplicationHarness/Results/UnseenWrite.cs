namespace ReplicationHarness.Results;

/// <summary>
/// A probed write that did not become visible on the standby within its deadline. It stays in the verdict and
/// the report beside the writes that were seen, so a write that never arrived cannot drop out of a statistic.
/// </summary>
/// <param name="WriteId">The write's id (the rows carry it).</param>
/// <param name="StepIndex">The step that made the write.</param>
/// <param name="Kind">insert or update (a load's batches are inserts).</param>
/// <param name="Rows">Rows the write touched.</param>
/// <param name="RowsSeen">Rows of it the last probe found on the standby.</param>
/// <param name="Deadline">How long after the commit's acknowledgement the write had to be visible.</param>
/// <param name="Waited">How long the probe waited.</param>
/// <param name="Reason">Why the standby could not be asked, when a probe failed (stopped on purpose, connection lost); null when it answered "not yet" until the deadline.</param>
/// <param name="LastLook">When it answered "not yet": what the last look saw (probes made and their spacing, the standby's WAL positions against the commit's).</param>
/// <param name="Standby">The standby it was not seen on (<c>standby</c> for a pair).</param>
internal sealed record UnseenWrite(long WriteId, int StepIndex, string Kind, int Rows, long RowsSeen, TimeSpan Deadline, TimeSpan Waited, string? Reason, string? LastLook = null,
    string Standby = Scenarios.TopologySpec.PairStandbyName);
