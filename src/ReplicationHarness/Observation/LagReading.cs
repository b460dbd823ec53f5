using ReplicationHarness.Postgres;

namespace ReplicationHarness.Observation;

/// <summary>What one round of queries to both nodes returned, before lag is derived from it.</summary>
/// <param name="At">When the reading completed, from the scenario's start (monotonic).</param>
/// <param name="PrimaryFlush">The primary's flush position.</param>
/// <param name="PrimaryInsert">The primary's insert position (ahead of flush while a record is being written).</param>
/// <param name="StandbyReceive">The standby's receive position.</param>
/// <param name="StandbyReplay">The standby's replay position.</param>
/// <param name="ReplayPaused">Whether replay is paused.</param>
/// <param name="ReplicationState">pg_stat_replication.state, or null.</param>
/// <param name="ApplyDelayed">Whether the standby's startup process was waiting out <c>recovery_min_apply_delay</c> (wait event RecoveryApplyDelay).</param>
public sealed record LagReading(TimeSpan At, Lsn PrimaryFlush, Lsn PrimaryInsert, Lsn StandbyReceive, Lsn StandbyReplay, bool ReplayPaused, string? ReplicationState, bool ApplyDelayed = false);
