using ReplicationHarness.Postgres;

namespace ReplicationHarness.Observation;

/// <summary>
/// One observation of the pair. Positions come from both nodes; <see cref="At"/> is the observer's
/// monotonic clock, relative to the start of the scenario.
/// </summary>
/// <param name="At">When the sample was taken, from the scenario's start.</param>
/// <param name="PrimaryFlush">The primary's <c>pg_current_wal_flush_lsn()</c>.</param>
/// <param name="StandbyReceive">The standby's <c>pg_last_wal_receive_lsn()</c>.</param>
/// <param name="StandbyReplay">The standby's <c>pg_last_wal_replay_lsn()</c>.</param>
/// <param name="ReplayPaused">Whether replay is paused on the standby.</param>
/// <param name="ReplicationState">The primary's <c>pg_stat_replication.state</c>, or null when the standby is not connected.</param>
/// <param name="LagBytes">Bytes the standby has still to replay.</param>
/// <param name="LagTime">How long the oldest unreplayed WAL has waited.</param>
/// <param name="ApplyDelayed">Whether replay was held back on purpose by <c>recovery_min_apply_delay</c> then.</param>
/// <param name="Standby">Which standby the sample is of (<c>standby</c> for a pair).</param>
internal sealed record LagSample(
    TimeSpan At,
    Lsn PrimaryFlush,
    Lsn StandbyReceive,
    Lsn StandbyReplay,
    bool ReplayPaused,
    string? ReplicationState,
    long LagBytes,
    TimeSpan LagTime,
    bool ApplyDelayed = false,
    string Standby = Scenarios.TopologySpec.PairStandbyName);
