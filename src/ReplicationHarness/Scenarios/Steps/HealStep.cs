namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Ends a partition; its <c>expect.alerts_fired</c> lists alerts that must have fired while the link was cut.</summary>
internal sealed record HealStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
    : LinkStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "heal";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
