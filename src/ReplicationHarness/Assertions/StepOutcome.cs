using ReplicationHarness.Results;

namespace ReplicationHarness.Assertions;

/// <summary>How a step ended: its verdict, the checks behind it and a sentence for the report.</summary>
public sealed record StepOutcome(Verdict Status, IReadOnlyList<AssertionResult> Checks, string Detail)
{
    /// <summary>Failed when any check failed, else passed.</summary>
    public static StepOutcome FromChecks(IReadOnlyList<AssertionResult> checks, string detail) =>
        new(checks.Any(c => c.Status == Verdict.Failed) ? Verdict.Failed : Verdict.Passed, checks, detail);

    /// <summary>Passed with no checks.</summary>
    public static StepOutcome Passed(string detail) => new(Verdict.Passed, [], detail);
}
