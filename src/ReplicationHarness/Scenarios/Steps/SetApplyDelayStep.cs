namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Sets the standby's <c>recovery_min_apply_delay</c> and reloads it; <c>0s</c> removes the delay.</summary>
/// <param name="Delay">The apply delay to inject.</param>
/// <param name="On">Which standby, by name; null in a topology of one standby (the binder requires it with more).</param>
internal sealed record SetApplyDelayStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, TimeSpan Delay, string? On = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "set_apply_delay";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
