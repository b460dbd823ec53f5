namespace ReplicationHarness.Results;

/// <summary>A fault the scenario injected, or an undo the harness made at the end: what, when, and what it did.</summary>
/// <param name="StepIndex">The step that injected it; null for the harness's own restore at the end of the run.</param>
/// <param name="Action">The step's action (<c>partition</c>, <c>stop_node</c>, ...), or <c>restore</c>.</param>
/// <param name="At">When it was injected, from the scenario's start.</param>
/// <param name="Status">Whether the injection itself worked.</param>
/// <param name="Detail">Exactly what was injected and what was observed doing it.</param>
internal sealed record InjectedFault(int? StepIndex, string Action, TimeSpan At, Verdict Status, string Detail);
