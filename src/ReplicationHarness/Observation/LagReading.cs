using ReplicationHarness.Postgres;

namespace ReplicationHarness.Observation;

/// <summary>What one round of queries returned for one standby, before lag is derived from it.</summary>
/// <param name="At">When the reading completed, from the scenario's start (monotonic).</param>
/// <param name="PrimaryFlush">The primary's flush position.</param>
/// <param name="PrimaryInsert">The primary's insert position (ahead of flush while a record is being written).</param>
/// <param name="StandbyReceive">The standby's receive position.</param>
/// <param name="StandbyReplay">The standby's replay position.</param>
/// <param name="ReplayPaused">Whether replay is paused.</param>
/// <param name="ReplicationState">pg_stat_replication.state, or null.</param>
/// <param name="ApplyDelayed">Whether the standby's startup process was waiting out <c>recovery_min_apply_delay</c> (wait event RecoveryApplyDelay).</param>
/// <param name="Standby">Which standby (its name in the topology; <c>standby</c> for a pair). Positions of the primary are
/// the primary's for every standby, a cascaded one's too: its lag is end to end; its state is its upstream's view of it.</param>
/// <param name="Writable">Whether the standby answered this reading out of recovery (it accepts writes) while the primary
/// answered as a primary: two nodes accepting writes at once; null when the standby did not answer.</param>
internal sealed record LagReading(TimeSpan At, Lsn PrimaryFlush, Lsn PrimaryInsert, Lsn StandbyReceive, Lsn StandbyReplay, bool ReplayPaused, string? ReplicationState, bool ApplyDelayed = false,
    string Standby = Scenarios.TopologySpec.PairStandbyName, bool? Writable = false)
{
    /// <summary>
    /// The node is outside replication (an old primary a promotion left behind, not rejoined yet): it is read only for
    /// whether it accepts writes, and its positions make no lag sample.
    /// </summary>
    public bool Detached { get; init; }
}
