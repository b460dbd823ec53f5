namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Starts a node stopped by <see cref="StopNodeStep"/> and waits until it accepts connections.</summary>
/// <param name="Node">Which node, by name: <c>primary</c> or a standby's name.</param>
internal sealed record StartNodeStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string Node)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "start_node";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
