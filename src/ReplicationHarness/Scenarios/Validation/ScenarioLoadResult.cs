namespace ReplicationHarness.Scenarios.Validation;

/// <summary>The outcome of loading one file: a scenario, or every error found in it.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Scenario">The scenario when the file is valid; null otherwise.</param>
/// <param name="Errors">Every error, in file order; empty when valid.</param>
internal sealed record ScenarioLoadResult(string File, Scenario? Scenario, IReadOnlyList<ScenarioError> Errors)
{
    /// <summary>True when the file is a valid scenario.</summary>
    public bool IsValid => Scenario is not null && Errors.Count == 0;
}
