using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>One step in <c>report.json</c>.</summary>
internal sealed record StepReport(int Index, string Name, string Action, Verdict Status, double StartedAtMs, double DurationMs, string Detail, IReadOnlyList<AssertionResult> Checks);
