namespace ReplicationHarness.Results;

/// <summary>One judged check: what was required, what was seen, by how much it held or missed.</summary>
/// <param name="Name">What is checked, e.g. <c>visible_within</c> or <c>max_lag_bytes</c>.</param>
/// <param name="Threshold">The requirement as written, e.g. <c>&lt;= 1s</c>.</param>
/// <param name="Observed">What was measured, e.g. <c>p100 412us (1 write)</c>.</param>
/// <param name="Margin">How far inside (positive) or outside (negative) the threshold, where it is a number.</param>
/// <param name="Status">The verdict.</param>
public sealed record AssertionResult(string Name, string Threshold, string Observed, string? Margin, Verdict Status);
