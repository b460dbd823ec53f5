namespace ReplicationHarness.Reporting;

/// <summary>One lag sample of one standby in <c>report.json</c>.</summary>
/// <param name="Standby">Which standby (<c>standby</c> for a pair); a cascaded standby's lag is against the primary, its state its upstream's view of it.</param>
internal sealed record LagPoint(double AtMs, long LagBytes, double LagMs, string PrimaryFlush, string StandbyReceive, string StandbyReplay, bool ReplayPaused, string? State,
    string Standby = Scenarios.TopologySpec.PairStandbyName);
