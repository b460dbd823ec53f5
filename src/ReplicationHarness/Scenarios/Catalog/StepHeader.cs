using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>What every step carries besides its action's arguments.</summary>
/// <param name="Timeout">The timeout as written, or null when the step gives none (each step has its default).</param>
internal sealed record StepHeader(int Index, string Name, TimeSpan? Timeout, StepExpectation Expect, int Line)
{
    /// <summary>The written timeout, or the default of steps that run no longer than their work.</summary>
    public TimeSpan TimeoutOr(TimeSpan runs) => Timeout ?? runs + ScenarioStep.DefaultTimeout;

    /// <summary>The written timeout, or <see cref="ScenarioStep.DefaultTimeout"/>.</summary>
    public TimeSpan TimeoutOrDefault => Timeout ?? ScenarioStep.DefaultTimeout;
}
