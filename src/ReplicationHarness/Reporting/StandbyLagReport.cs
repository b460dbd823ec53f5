using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>One standby's lag percentiles in <c>report.json</c>, when a topology has several.</summary>
/// <param name="Standby">The standby's name.</param>
/// <param name="Percentiles">Percentiles of its lag series in bytes and milliseconds.</param>
internal sealed record StandbyLagReport(string Standby, LagStatistics Percentiles);
