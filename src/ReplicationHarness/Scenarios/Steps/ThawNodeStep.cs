namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Thaws a node frozen by <see cref="FreezeNodeStep"/>: SIGCONT to each of its server's processes.</summary>
/// <param name="Node">Which node, by name: <c>primary</c> or a standby's name.</param>
internal sealed record ThawNodeStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string Node)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "thaw_node";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
