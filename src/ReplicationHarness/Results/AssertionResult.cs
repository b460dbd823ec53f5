using ReplicationHarness.Measures;

namespace ReplicationHarness.Results;

/// <summary>One judged check: what was required, what was seen, by how much it held or missed, as values.</summary>
/// <param name="Name">What is checked, e.g. <c>visible_within</c> or <c>max_lag_bytes</c>.</param>
/// <param name="Threshold">The requirement, e.g. <c>&lt;= {Exact(1s)}</c>.</param>
/// <param name="Observed">What was measured, e.g. <c>max {Fine(412)} over {Count(1)} write</c>, or why nothing was.</param>
/// <param name="Margin">How far inside (positive) or outside (negative) the threshold, where it is a number.</param>
/// <param name="Status">The verdict.</param>
internal sealed record AssertionResult(string Name, Phrase Threshold, Phrase Observed, Measure? Margin, Verdict Status);
