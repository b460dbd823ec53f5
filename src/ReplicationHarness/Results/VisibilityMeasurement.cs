using ReplicationHarness.Postgres;

namespace ReplicationHarness.Results;

/// <summary>
/// How long one marked write took from its commit acknowledgement on the primary to its first
/// visibility on the standby, on the monotonic clock.
/// </summary>
/// <param name="WriteId">The write's id (the rows carry it).</param>
/// <param name="StepIndex">The step that made the write.</param>
/// <param name="Kind">insert, update or load.</param>
/// <param name="Rows">Rows the write touched.</param>
/// <param name="Microseconds">Commit acknowledgement to the end of the first probe that saw it.</param>
/// <param name="UncertaintyMicroseconds">The probe interval: the write became visible at most this long before it was seen.</param>
/// <param name="MicrosecondsSinceSent">From sending the commit to the same end: the server stamps the commit in between,
/// so this bounds how early an apply delay (counted from the commit's timestamp) could have let it through.</param>
/// <param name="Probes">How many probes it took.</param>
/// <param name="CommitLsn">A lower bound of the commit record's position: the primary's WAL insert position inside
/// the transaction, just before COMMIT (sound whatever other sessions write meanwhile).</param>
/// <param name="ReplayLsn">The standby's replay position when the write was seen.</param>
/// <param name="Standby">The standby it was seen on (<c>standby</c> for a pair): a write is measured on each standby probed.</param>
internal sealed record VisibilityMeasurement(
    long WriteId, int StepIndex, string Kind, int Rows, double Microseconds, double UncertaintyMicroseconds, double MicrosecondsSinceSent, int Probes, Lsn CommitLsn, Lsn ReplayLsn,
    string Standby = Scenarios.TopologySpec.PairStandbyName)
{
    /// <summary>The LSN cross-check: a write seen on the standby must have been replayed past its commit's lower bound.</summary>
    public bool LsnConsistent => ReplayLsn >= CommitLsn || ReplayLsn == Lsn.Zero;
}
