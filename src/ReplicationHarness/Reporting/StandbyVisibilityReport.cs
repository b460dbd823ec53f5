using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>One standby's time-to-visible statistics in <c>report.json</c>, when writes were probed on several.</summary>
/// <param name="Standby">The standby's name.</param>
/// <param name="TimeToVisible">Time-to-visible over the writes seen on it, in microseconds.</param>
internal sealed record StandbyVisibilityReport(string Standby, VisibilityStatistics TimeToVisible);
