namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Stops a node the harness owns: a fast or immediate shutdown, or <c>kill -9</c> of its postmaster.</summary>
/// <param name="Node">Which node, by name: <c>primary</c> or a standby's name.</param>
/// <param name="Mode">fast, immediate or kill.</param>
internal sealed record StopNodeStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string Node, StopMode Mode)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "stop_node";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
