namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Runs the seed's success criteria against the pair (standby streaming, slot active, and so on).</summary>
internal sealed record VerifyPairStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "verify_pair";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
