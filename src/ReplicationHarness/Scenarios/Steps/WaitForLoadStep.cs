namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Waits for the load started in the background to end, and judges it (its rows, failures and visibility).</summary>
internal sealed record WaitForLoadStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "wait_for_load";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
