namespace ReplicationHarness.Scenarios.Validation;

/// <summary>The outcome of loading one file: its scenarios (one, or one per combination of its matrix), or every error found in it.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Scenarios">The scenarios when the file is valid; empty otherwise.</param>
/// <param name="Errors">Every error, in file order; empty when valid.</param>
internal sealed record ScenarioLoadResult(string File, IReadOnlyList<Scenario> Scenarios, IReadOnlyList<ScenarioError> Errors)
{
    /// <summary>A file of one scenario, or of none when it is not valid.</summary>
    public ScenarioLoadResult(string File, Scenario? Scenario, IReadOnlyList<ScenarioError> Errors)
        : this(File, Scenario is null ? [] : [Scenario], Errors)
    {
    }

    /// <summary>True when the file holds valid scenarios.</summary>
    public bool IsValid => Scenarios.Count > 0 && Errors.Count == 0;

    /// <summary>The file's scenario when it holds exactly one (no matrix, or a matrix of one combination); null otherwise.</summary>
    public Scenario? Scenario => Scenarios.Count == 1 ? Scenarios[0] : null;
}
