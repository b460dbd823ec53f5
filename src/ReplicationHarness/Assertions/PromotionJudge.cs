using ReplicationHarness.Measures;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Assertions;

/// <summary>Judges a promotion: how long it took, and whether every write the old primary acknowledged is on the new one.</summary>
internal static class PromotionJudge
{
    /// <summary>The promoted_within threshold as the report shows it.</summary>
    public static Phrase Limit(StepExpectation expect) =>
        expect.PromotedWithin is { } within ? Phrase.Of($"<= {Exact(within)}") : Phrase.Plain("leaves recovery");

    /// <summary>A promotion that did not happen: the standby stayed in recovery.</summary>
    public static StepOutcome NotPromoted(Promotion promotion, StepExpectation expect) =>
        new(Verdict.Failed, [new AssertionResult("promoted_within", Limit(expect), Phrase.Of($"still in recovery after {Measured(promotion.Elapsed)}"), null, Verdict.Failed)],
            $"the standby did not leave recovery within {DurationText.Describe(promotion.Elapsed)} ({Describe(promotion.Method)})"
            + (promotion.HeldUpBy is { } heldUp ? $"; {heldUp}" : ""));

    /// <summary>Promoting a standby the scenario itself stopped or froze: the scenario's expectation fails, not the harness.</summary>
    /// <param name="why">What the scenario did, e.g. "the standby was stopped by steps[2]".</param>
    /// <param name="what">How the promotion failed.</param>
    public static StepOutcome StandbyUnavailable(StepExpectation expect, string why, string what) =>
        new(Verdict.Failed, [new AssertionResult("promoted_within", Limit(expect), Phrase.Of($"not promoted: {why}"), null, Verdict.Failed)], what);

    /// <param name="promotion">What the promotion did.</param>
    /// <param name="expect">The step's expectations.</param>
    /// <param name="acknowledged">The old primary's acknowledged writes when the promotion ended.</param>
    /// <param name="counts">Rows per write found on the new primary, by table.</param>
    /// <param name="countError">Why the writes could not be counted, or null.</param>
    /// <param name="primaryStoppedAt">When the scenario stopped the old primary, if it did.</param>
    /// <param name="promotedAt">When the promotion ended, on the scenario's clock.</param>
    /// <param name="at">Turns a Stopwatch timestamp into time on the scenario's clock.</param>
    public static StepOutcome Judge(Promotion promotion, StepExpectation expect, IReadOnlyList<LedgerWrite> acknowledged,
        IReadOnlyDictionary<string, IReadOnlyDictionary<long, long>> counts, string? countError, TimeSpan? primaryStoppedAt, TimeSpan promotedAt, Func<long, TimeSpan> at)
    {
        var checks = new List<AssertionResult>();
        var took = promotion.HeldUpBy is { } heldUp
            ? Phrase.Of($"{Measured(promotion.Elapsed)} (poll interval {Measured(promotion.PollInterval)}; {heldUp})")
            : Phrase.Of($"{Measured(promotion.Elapsed)} (poll interval {Measured(promotion.PollInterval)})");
        if (expect.PromotedWithin is { } within)
        {
            var margin = within - promotion.Elapsed;
            checks.Add(new AssertionResult("promoted_within", Limit(expect), took, Fine(margin.TotalMicroseconds),
                margin >= TimeSpan.Zero ? Verdict.Passed : Verdict.Failed));
        }
        var detail = $"promoted with {Describe(promotion.Method)} in {MeasureText.Format(took)}, now on timeline {promotion.Timeline}; replayed up to {promotion.ReplayedBefore} (received {promotion.ReceivedBefore}) before the request";
        if (primaryStoppedAt is { } stopped)
            detail += $"; writable again {DurationText.Describe(promotedAt - stopped)} after the primary stopped";
        if (countError is not null)
        {
            checks.Add(new AssertionResult("acknowledged writes", Phrase.Plain("present on the new primary"), Phrase.Of($"could not be counted: {countError}"), null, Verdict.Failed));
            return new StepOutcome(Verdict.Error, checks, $"{detail}; counting the writes on the new primary failed: {countError}");
        }
        var gap = WriteGapCheck.Evaluate(acknowledged, counts, at);
        var found = gap.LostWrites == 0
            ? $"all {gap.AcknowledgedWrites:N0} acknowledged writes ({gap.AcknowledgedRows:N0} rows) present on the new primary"
            : $"write gap: {gap.LostWrites:N0} of {gap.AcknowledgedWrites:N0} acknowledged writes ({gap.LostRows:N0} rows) missing on the new primary, "
              + $"acknowledged from {DurationText.Describe(gap.FirstLostAckedAt!.Value)} on, the last {DurationText.Describe((primaryStoppedAt ?? gap.LastAckedAt!.Value) - gap.FirstLostAckedAt.Value)} before the primary stopped";
        if (gap.UnacknowledgedPresent > 0)
            found += $"; {gap.UnacknowledgedPresent} write{(gap.UnacknowledgedPresent == 1 ? "" : "s")} present whose acknowledgement never arrived (committed as the primary went down)";
        if (expect.MaxLostWrites is { } max)
        {
            checks.Add(new AssertionResult("max_lost_writes", Phrase.Of($"<= {Count(max)}"), Phrase.Of($"{Count(gap.LostWrites)} lost of {Count(gap.AcknowledgedWrites)} acknowledged ({Count(gap.LostRows)} rows)"),
                Count(max - gap.LostWrites), gap.LostWrites <= max ? Verdict.Passed : Verdict.Failed));
        }
        return StepOutcome.FromChecks(checks, $"{detail}; {found}");
    }

    private static string Describe(PromoteMethod method) =>
        method == PromoteMethod.PgPromote ? "pg_promote()" : "promote_trigger_file";
}
