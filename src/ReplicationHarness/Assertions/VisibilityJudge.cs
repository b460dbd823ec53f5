using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Assertions;

/// <summary>
/// Judges a write step's probed writes against its expectations. Every probed write is in the verdict, on every
/// standby it was probed on: one not seen by its deadline fails the step whatever the others did. With several
/// standbys the figures name the standby they come from.
/// </summary>
internal static class VisibilityJudge
{
    /// <summary>How many standbys the writes were probed on, seen there or not: with more than one, the figures name them.</summary>
    public static int StandbysProbed(IReadOnlyList<VisibilityMeasurement> measured, IReadOnlyList<UnseenWrite> unseen) =>
        measured.Select(m => m.Standby).Concat(unseen.Select(u => u.Standby)).Distinct().Count();

    /// <summary>Whether a write step's writes are probed: only when it judges visibility; otherwise later steps do.</summary>
    public static bool ExpectsVisibility(StepExpectation expect) => expect.VisibleWithin is not null || expect.VisibleNotBefore is not null;

    /// <param name="measured">The step's writes that were seen.</param>
    /// <param name="unseen">The step's writes that were not seen by their deadline.</param>
    /// <param name="expect">The step's expectations.</param>
    /// <param name="stepLimit">The step's scaled time limit, the bound when no visible_within is given.</param>
    public static IReadOnlyList<AssertionResult> Checks(IReadOnlyList<VisibilityMeasurement> measured, IReadOnlyList<UnseenWrite> unseen, StepExpectation expect, TimeSpan stepLimit)
    {
        var checks = new List<AssertionResult>();
        var probed = measured.Count + unseen.Count;
        if (probed == 0)
            return checks;
        var threshold = expect.VisibleWithin is { } within ? Phrase.Of($"<= {Exact(within)}") : Phrase.Of($"within the step's {Exact(stepLimit)}");
        var standbys = StandbysProbed(measured, unseen);
        if (unseen.Count > 0)
        {
            checks.Add(new AssertionResult("visible_within", threshold, DescribeUnseen(unseen, measured), null, Verdict.Failed));
        }
        else if (expect.VisibleWithin is { } limit)
        {
            var slowest = measured.MaxBy(m => m.Microseconds)!;
            var margin = limit.TotalMicroseconds - slowest.Microseconds;
            var observed = standbys > 1
                ? Phrase.Of($"max {Fine(slowest.Microseconds)} on {slowest.Standby} over {Phrase.Counted(measured.Select(m => m.WriteId).Distinct().Count(), "write")} on {Count(standbys)} standbys")
                : Phrase.Of($"max {Fine(slowest.Microseconds)} over {Phrase.Counted(probed, "write")}");
            checks.Add(new AssertionResult("visible_within", threshold, observed, Fine(margin), margin >= 0 ? Verdict.Passed : Verdict.Failed));
        }
        if (expect.VisibleNotBefore is { } notBefore && measured.Count > 0)
        {
            // An apply delay counts from the commit's timestamp, which the server takes after we sent the commit and
            // before we get its acknowledgement: "not before" is judged from the send, so a working delay never fails it.
            var earliest = measured.MinBy(m => m.MicrosecondsSinceSent)!;
            var margin = earliest.MicrosecondsSinceSent - notBefore.TotalMicroseconds;
            var observed = standbys > 1
                ? Phrase.Of($"min {Fine(earliest.MicrosecondsSinceSent)} on {earliest.Standby} from sending the commit, over {Phrase.Counted(measured.Count, "probe")} on {Count(standbys)} standbys")
                : Phrase.Of($"min {Fine(earliest.MicrosecondsSinceSent)} from sending the commit, over {Phrase.Counted(measured.Count, "write")}");
            checks.Add(new AssertionResult("visible_not_before", Phrase.Of($">= {Exact(notBefore)}"), observed, Fine(margin), margin >= 0 ? Verdict.Passed : Verdict.Failed));
        }
        if (measured.Count > 0)
        {
            var consistent = measured.Count(m => m.LsnConsistent);
            checks.Add(new AssertionResult("replay_lsn >= commit_lsn", Phrase.Plain("for every write seen"), Phrase.Of($"{Count(consistent)} of {Count(measured.Count)}"), null,
                consistent == measured.Count ? Verdict.Passed : Verdict.Failed));
        }
        return checks;
    }

    /// <summary>What the failed visible_within check says: the one write's rows seen, or how many of all were not seen.</summary>
    public static Phrase DescribeUnseen(IReadOnlyList<UnseenWrite> unseen, IReadOnlyList<VisibilityMeasurement> measured)
    {
        if (StandbysProbed(measured, unseen) > 1)
            return DescribeUnseenOnSeveral(unseen, measured);
        if (unseen is [var only] && measured.Count == 0)
        {
            if (only.Reason is { } reason)
                return Phrase.Of($"write {Count(only.WriteId)} not visible: {reason}");
            var counted = Phrase.Of($"{Count(only.RowsSeen)} of {Count(only.Rows)} rows of write {Count(only.WriteId)} visible after {Measured(only.Waited)}");
            return only.LastLook is { } lastLook ? counted.Then(Phrase.Of($" ({lastLook})")) : counted;
        }
        var probed = unseen.Count + measured.Count;
        var text = Phrase.Of($"{Count(unseen.Count)} of {Count(probed)} probed writes not visible within {Exact(unseen[0].Deadline)}");
        if (unseen.FirstOrDefault(u => u.Reason is not null)?.Reason is { } first)
            text = text.Then(Phrase.Of($" ({first})"));
        else if (unseen[0].LastLook is { } lastLook)
            text = text.Then(Phrase.Of($" (write {Count(unseen[0].WriteId)}: {lastLook})"));
        if (measured.Count > 0)
            text = text.Then(Phrase.Of($"; the {Count(measured.Count)} seen took at most {Fine(measured.Max(m => m.Microseconds))}"));
        return text;
    }

    /// <summary>Writes probed on several standbys: how many probes failed, the first one's standby and why, and what the others saw.</summary>
    private static Phrase DescribeUnseenOnSeveral(IReadOnlyList<UnseenWrite> unseen, IReadOnlyList<VisibilityMeasurement> measured)
    {
        var first = unseen[0];
        var text = Phrase.Of($"{Count(unseen.Count)} of {Count(unseen.Count + measured.Count)} probes not visible within {Exact(first.Deadline)}");
        text = first.Reason is { } reason
            ? text.Then(Phrase.Of($" (write {Count(first.WriteId)} on {first.Standby}: {reason})"))
            : text.Then(Phrase.Of($" (write {Count(first.WriteId)} on {first.Standby}: {Count(first.RowsSeen)} of {Count(first.Rows)} rows after {Measured(first.Waited)}"))
                .Then(first.LastLook is { } lastLook ? Phrase.Of($"; {lastLook})") : Phrase.Plain(")"));
        if (measured.Count > 0)
        {
            var slowest = measured.MaxBy(m => m.Microseconds)!;
            text = text.Then(Phrase.Of($"; the {Count(measured.Count)} seen took at most {Fine(slowest.Microseconds)} (on {slowest.Standby})"));
        }
        return text;
    }

    /// <summary>One clause per write seen, for the step's detail: kind, rows, time to visible and the probe interval bounding it; the standby too when there are several.</summary>
    public static string DescribeSeen(IReadOnlyList<VisibilityMeasurement> measured)
    {
        var several = measured.Select(m => m.Standby).Distinct().Skip(1).Any();
        return string.Join("; ", measured.Select(m =>
            $"{m.Kind} of {m.Rows} row{(m.Rows == 1 ? "" : "s")} visible{(several ? $" on {m.Standby}" : "")} after {Microseconds.Format(m.Microseconds)} (probe interval {Microseconds.Format(m.UncertaintyMicroseconds)})"));
    }
}
