namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Does nothing for a while; the lag observer keeps sampling.</summary>
/// <param name="Duration">How long to wait.</param>
internal sealed record WaitStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, TimeSpan Duration)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "wait";

    /// <inheritdoc />
    public override string Keyword => Kind;

    /// <inheritdoc />
    public override TimeSpan? RunsFor => Duration;
}
