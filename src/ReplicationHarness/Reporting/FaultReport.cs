using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>One injected fault in <c>report.json</c>: what, when (ms from the scenario's start), and what it did.</summary>
/// <param name="Step">The step that injected it; null for the harness's restore at the end of the run.</param>
/// <param name="Action">The step's action, or <c>restore</c>.</param>
/// <param name="AtMs">When it was injected.</param>
/// <param name="Status">Whether the injection worked: passed, failed or error.</param>
/// <param name="Detail">Exactly what was injected.</param>
internal sealed record FaultReport(int? Step, string Action, double AtMs, Verdict Status, string Detail);
