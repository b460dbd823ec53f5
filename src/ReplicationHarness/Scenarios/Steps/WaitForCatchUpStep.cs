namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Waits until the standby has replayed everything the primary has flushed (0 bytes of replay lag).</summary>
/// <param name="On">Which standby, by name; null for every standby.</param>
internal sealed record WaitForCatchUpStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string? On = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "wait_for_catchup";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
