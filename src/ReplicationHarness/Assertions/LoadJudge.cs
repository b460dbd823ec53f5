using ReplicationHarness.Measures;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Assertions;

/// <summary>Judges a finished load: its probed writes, its failed batches, and what it achieved.</summary>
internal static class LoadJudge
{
    /// <param name="load">The load step.</param>
    /// <param name="summary">What the writer reported.</param>
    /// <param name="measured">The load's probed writes that were seen.</param>
    /// <param name="unseen">Its probed writes not seen by their deadline.</param>
    /// <param name="probeFailed">Whether a probe failed for a reason other than a standby the scenario stopped (the harness could not measure).</param>
    /// <param name="stepLimit">The scaled limit of the step judging it.</param>
    public static StepOutcome Judge(SustainedLoadStep load, LoadSummary summary, IReadOnlyList<VisibilityMeasurement> measured, IReadOnlyList<UnseenWrite> unseen, bool probeFailed, TimeSpan stepLimit)
    {
        var checks = VisibilityJudge.Checks(measured, unseen, load.Expect, stepLimit).ToList();
        var detail = $"wrote {summary.Rows:N0} rows in {summary.Batches} batches over {summary.Elapsed.TotalSeconds:0.##} s: {summary.RowsPerSecond:0} rows/s (target {load.Rate})";
        if (summary.Probed > 0)
        {
            // With several standbys each marked write is probed on each: the figures count probes, and say so.
            var standbys = VisibilityJudge.StandbysProbed(measured, unseen);
            var what = standbys > 1 ? $"probe{(summary.Probed == 1 ? "" : "s")} of marked writes on {standbys} standbys" : $"write{(summary.Probed == 1 ? "" : "s")} probed";
            detail += $"; {summary.Probed} {what}, {summary.Probed - unseen.Count} seen"
                + (unseen.Count == 0 ? "" : $", {unseen.Count} not visible within {DurationText.Describe(unseen[0].Deadline)}");
        }
        if (summary.EndedEarly is { } why)
            detail += $"; ended early: {why}; {summary.InDoubt} batch{(summary.InDoubt == 1 ? "" : "es")} in doubt (sent, never acknowledged)";
        if (summary.Failures > 0)
        {
            var failure = Phrase.Of($"{Count(summary.Failures)} of {Count(summary.Batches)} batches failed on the primary, the first with: {summary.FirstFailure ?? "no reason given"}");
            checks.Add(new AssertionResult("write failures", Phrase.Of($"= {Count(0)}"), failure, null, Verdict.Failed));
            detail = $"{MeasureText.Format(failure)}; {detail}";
        }
        return probeFailed ? new StepOutcome(Verdict.Error, checks, detail) : StepOutcome.FromChecks(checks, detail);
    }
}
