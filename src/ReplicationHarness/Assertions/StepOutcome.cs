using System.Globalization;
using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Units;

namespace ReplicationHarness.Assertions;

/// <summary>How a step ended: its verdict, the checks behind it and a sentence for the report.</summary>
internal sealed record StepOutcome(Verdict Status, IReadOnlyList<AssertionResult> Checks, string Detail)
{
    /// <summary>Failed when any check failed, else passed.</summary>
    public static StepOutcome FromChecks(IReadOnlyList<AssertionResult> checks, string detail) =>
        new(checks.Any(c => c.Status == Verdict.Failed) ? Verdict.Failed : Verdict.Passed, checks, detail);

    /// <summary>Failed on the step's own timer: still running at its (scaled) limit.</summary>
    public static StepOutcome TimedOut(TimeSpan limit, TimeSpan timeout, double multiplier)
    {
        var exact = Measure.Exact(limit);
        return new(Verdict.Failed, [new AssertionResult("timeout", Phrase.Of($"<= {exact}"), Phrase.Of($"still running after {exact}"), null, Verdict.Failed)],
            string.Create(CultureInfo.InvariantCulture, $"did not finish within {DurationText.Format(limit)} (timeout {DurationText.Format(timeout)} x {multiplier:0.##})"));
    }

    /// <summary>Passed with no checks.</summary>
    public static StepOutcome Passed(string detail) => new(Verdict.Passed, [], detail);
}
