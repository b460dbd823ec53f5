namespace ReplicationHarness.Reporting;

/// <summary>One marked write's time-to-visible on one standby in <c>report.json</c>.</summary>
/// <param name="Standby">The standby it was seen on (<c>standby</c> for a pair).</param>
internal sealed record WriteReport(long WriteId, int Step, string Kind, int Rows, double Microseconds, double UncertaintyMicroseconds, double MicrosecondsSinceSent, int Probes, string CommitLsn, string ReplayLsn,
    string Standby = Scenarios.TopologySpec.PairStandbyName);
