namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Waits for the reads started in the background to end, and judges their history.</summary>
internal sealed record WaitForReadsStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "wait_for_reads";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
