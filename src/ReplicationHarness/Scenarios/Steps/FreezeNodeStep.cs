namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// Freezes a node the harness owns: SIGSTOP to its postmaster and every process it started. A hung server differs
/// from a dead one: connections to it hang instead of failing, so every later wait must be bounded by its own limit.
/// </summary>
/// <param name="Node">Which node, by name: <c>primary</c> or a standby's name.</param>
internal sealed record FreezeNodeStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string Node)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "freeze_node";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
