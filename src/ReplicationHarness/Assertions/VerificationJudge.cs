using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Assertions;

/// <summary>Judges verify_pair: one check per criterion, failed when any criterion fails.</summary>
internal static class VerificationJudge
{
    /// <summary>The step's outcome from the pair's criteria.</summary>
    public static StepOutcome Judge(PairVerification verification)
    {
        var checks = verification.Criteria.Select(c => new AssertionResult(c.Name, Phrase.Plain("holds"), Phrase.Free(c.Observed), null, c.Status switch
        {
            CriterionStatus.Passed => Verdict.Passed,
            CriterionStatus.Failed => Verdict.Failed,
            _ => Verdict.Skipped,
        })).ToList();
        var failed = verification.Failures.Select(f => f.Name).ToList();
        return new StepOutcome(failed.Count == 0 ? Verdict.Passed : Verdict.Failed, checks,
            failed.Count == 0 ? $"all {checks.Count} criteria hold" : $"failed: {string.Join(", ", failed)}");
    }
}
