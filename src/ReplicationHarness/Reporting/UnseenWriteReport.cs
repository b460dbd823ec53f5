namespace ReplicationHarness.Reporting;

/// <summary>A probed write that was not visible within its deadline, in <c>report.json</c>.</summary>
/// <param name="WriteId">The write's id.</param>
/// <param name="Step">The step that made it.</param>
/// <param name="Kind">insert or update (a load's batches are inserts).</param>
/// <param name="Rows">Rows it touched.</param>
/// <param name="RowsSeen">Rows of it the last probe found on the standby.</param>
/// <param name="DeadlineMs">How long after its acknowledgement it had to be visible.</param>
/// <param name="WaitedMs">How long the probe waited.</param>
/// <param name="Reason">Why the standby could not be asked, when it could not; null when it said "not yet" until the deadline.</param>
/// <param name="Standby">The standby it was not seen on (<c>standby</c> for a pair).</param>
/// <param name="LastLook">When it said "not yet": what the last look saw (probes and their spacing, the standby's WAL positions).</param>
internal sealed record UnseenWriteReport(long WriteId, int Step, string Kind, int Rows, long RowsSeen, double DeadlineMs, double WaitedMs, string? Reason,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? LastLook = null,
    string Standby = Scenarios.TopologySpec.PairStandbyName);
