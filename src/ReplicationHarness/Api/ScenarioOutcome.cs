using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness;

/// <summary>
/// What <see cref="ReplicationPair.RunScenarioAsync"/> found: the scenario's verdict, each step and check, and why it
/// could not run when it could not. <see cref="ToString"/> gives the failures as the CLI prints them.
/// </summary>
/// <param name="Name">The scenario's name.</param>
/// <param name="File">Its file.</param>
/// <param name="Status">Passed, failed (a check did not hold) or error (it could not run).</param>
/// <param name="Duration">How long its steps and assertions took.</param>
/// <param name="Steps">Each step.</param>
/// <param name="Assertions">The whole-scenario assertions.</param>
/// <param name="Error">Why it could not run, for <see cref="Verdict.Error"/>.</param>
public sealed record ScenarioOutcome(string Name, string File, Verdict Status, TimeSpan Duration, IReadOnlyList<ScenarioStepOutcome> Steps, IReadOnlyList<ScenarioCheck> Assertions, string? Error)
{
    /// <summary>True when every step and assertion held.</summary>
    public bool Passed => Status == Verdict.Passed;

    /// <summary>Every check that failed or could not be judged, steps' first, each with where it was.</summary>
    public IReadOnlyList<string> Failures =>
        Steps.SelectMany(s => s.Checks.Where(c => c.Status is Verdict.Failed or Verdict.Error).Select(c => $"steps[{s.Index}] {s.Name}: {c}"))
            .Concat(Assertions.Where(a => a.Status is Verdict.Failed or Verdict.Error).Select(a => $"assertions: {a}"))
            .ToList();

    internal static ScenarioOutcome From(ScenarioResult result) => new(
        result.Name,
        result.File,
        result.Status,
        result.Duration,
        result.Steps.Select(s => new ScenarioStepOutcome(s.Index, s.Name, s.Status, s.Elapsed, s.Detail, s.Checks.Select(Check).ToList())).ToList(),
        result.Assertions.Select(Check).ToList(),
        result.Error);

    private static ScenarioCheck Check(AssertionResult check) =>
        new(check.Name, MeasureText.Format(check.Threshold), MeasureText.Format(check.Observed), check.Status);

    /// <summary>The verdict, then each failure and the error, one a line.</summary>
    public override string ToString() =>
        string.Join(Environment.NewLine, new[] { $"{Name}: {Status.ToString().ToLowerInvariant()} in {Duration.TotalSeconds:0.00} s" }
            .Concat(Failures.Select(f => "  failed: " + f))
            .Concat(Error is null ? [] : ["  error: " + Error]));
}
