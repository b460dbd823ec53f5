using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>One scenario compared between a baseline run and the current one.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="BaselineStatus">Its status in the baseline, or null when it is new.</param>
/// <param name="CurrentStatus">Its status now, or null when it is gone.</param>
/// <param name="BaselineP95">Time-to-visible p95 in the baseline (us).</param>
/// <param name="CurrentP95">Time-to-visible p95 now (us).</param>
/// <param name="P95DriftPercent">How much p95 moved, in percent of the baseline.</param>
/// <param name="Regressions">Why this row is a regression; empty when it is not.</param>
internal sealed record ComparisonRow(string Scenario, Verdict? BaselineStatus, Verdict? CurrentStatus, double? BaselineP95, double? CurrentP95, double? P95DriftPercent, IReadOnlyList<string> Regressions);
