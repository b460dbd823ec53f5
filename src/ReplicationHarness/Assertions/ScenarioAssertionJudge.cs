using ReplicationHarness.Actors;
using ReplicationHarness.Measures;
using ReplicationHarness.Observation;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Assertions;

/// <summary>Judges a scenario's whole-run assertions against what the lag observer saw.</summary>
internal static class ScenarioAssertionJudge
{
    /// <summary>One result per assertion the scenario states, in a fixed order.</summary>
    /// <param name="scenario">The scenario, for its thresholds.</param>
    /// <param name="report">The lag observer's samples and alerts.</param>
    /// <param name="contents">The contents comparison, when it was made.</param>
    /// <param name="ranToTheEnd">Whether every step passed; an alert expected to fire is only judged then.</param>
    /// <param name="primaryDown">When the scenario itself had the primary stopped (from the stop's request to the start's
    /// completion, open-ended when never started again): readings that fail then have nothing to measure; any other
    /// failed reading leaves the lag unknown.</param>
    public static IReadOnlyList<AssertionResult> Judge(Scenario scenario, LagObserverProtocol.LagReport report, AssertionResult? contents, bool ranToTheEnd,
        IReadOnlyList<(TimeSpan From, TimeSpan? To)>? primaryDown = null)
    {
        var assertions = scenario.Assertions;
        var samples = report.Samples;
        var results = new List<AssertionResult>();
        // Every standby's lag is held to the thresholds; with several, the worst names its standby.
        var several = samples.Select(s => s.Standby).Distinct().Skip(1).Any();
        // A "never above" claim holds only where lag was measured: moments without a sample fail it, with why.
        var unknown = report.FailedReadings.Where(t => !(primaryDown ?? []).Any(down => t >= down.From && (down.To is not { } to || t <= to))).ToList();

        if (assertions.MaxLagBytes is { } maxBytes)
        {
            var threshold = Phrase.Of($"<= {Exact(maxBytes)}");
            results.Add(samples.Count == 0
                ? NoSamples("max_lag_bytes", threshold)
                : Judge("max_lag_bytes", threshold, samples.MaxBy(s => s.LagBytes)!, s => several ? Phrase.Of($"max {Measured(new ByteSize(s.LagBytes))} on {s.Standby} at {Seconds(s.At)}") : Phrase.Of($"max {Measured(new ByteSize(s.LagBytes))} at {Seconds(s.At)}"),
                    s => Exact(new ByteSize(maxBytes.Bytes - s.LagBytes)), report));
        }
        if (assertions.MaxLagTime is { } maxTime)
        {
            var threshold = Phrase.Of($"<= {Exact(maxTime)}");
            // The margin is whole microseconds: a sample's lag is no finer than that.
            results.Add(samples.Count == 0
                ? NoSamples("max_lag_time", threshold)
                : Judge("max_lag_time", threshold, samples.MaxBy(s => s.LagTime)!, s => several ? Phrase.Of($"max {Seconds(s.LagTime)} on {s.Standby} at {Seconds(s.At)}") : Phrase.Of($"max {Seconds(s.LagTime)} at {Seconds(s.At)}"),
                    s => Seconds(TimeSpan.FromMicroseconds((long)(maxTime - s.LagTime).TotalMicroseconds)), report));
        }
        foreach (var kind in assertions.AlertsFired)
        {
            var intervals = report.Alerts.Where(a => a.Kind == kind).ToList();
            var status = intervals.Count > 0 ? Verdict.Passed : ranToTheEnd ? Verdict.Failed : Verdict.Skipped;
            results.Add(new AssertionResult($"alert fired: {Name(kind)}", Phrase.Plain("fires at least once"), Describe(intervals, report, several), null, status));
        }
        foreach (var kind in assertions.AlertsNotFired)
        {
            var intervals = report.Alerts.Where(a => a.Kind == kind).ToList();
            results.Add(new AssertionResult($"alert not fired: {Name(kind)}", Phrase.Plain("never fires"), Describe(intervals, report, several), null, intervals.Count == 0 ? Verdict.Passed : Verdict.Failed));
        }
        // Two nodes accepting writes is reported whenever it was seen; a scenario that promotes is always checked for it.
        if (report.SplitBrain.Count > 0 || scenario.Steps.Any(s => s is PromoteStep))
            results.Add(SingleWritableNode(report));
        if (unknown.Count > 0)
        {
            var gap = Phrase.Of($"; but lag is unknown for {Phrase.Counted(unknown.Count, "reading")} between {Seconds(unknown[0])} and {Seconds(unknown[^1])}: ")
                .Then(Phrase.Of($"the primary could not be read ({report.FirstFailure ?? "no reason given"})"));
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Name is "max_lag_bytes" or "max_lag_time" or SingleWritableNodeName || results[i].Name.StartsWith("alert not fired:", StringComparison.Ordinal))
                    results[i] = results[i] with { Observed = results[i].Observed.Then(gap), Margin = null, Status = Verdict.Failed };
            }
        }
        if (assertions.ContentsEqual)
            results.Add(contents ?? ContentsJudge.EndedEarly);
        return results;
    }

    private static AssertionResult Judge(string name, Phrase threshold, LagSample worst, Func<LagSample, Phrase> describe, Func<LagSample, Measure> margin, LagObserverProtocol.LagReport report)
    {
        var value = margin(worst);
        var held = value switch
        {
            SizeMeasure size => size.Bytes >= 0,
            DurationMeasure duration => duration.Microseconds >= 0,
            _ => throw new ArgumentException($"a lag margin is a size or a duration, not a {value.GetType().Name}", nameof(margin)),
        };
        var observed = describe(worst).Then(Phrase.Of($" over {Count(report.Samples.Count)} samples"));
        return new AssertionResult(name, threshold, observed, value, held ? Verdict.Passed : Verdict.Failed);
    }

    /// <summary>The name of the split-brain check.</summary>
    public const string SingleWritableNodeName = "single writable node";

    private static AssertionResult SingleWritableNode(LagObserverProtocol.LagReport report)
    {
        var threshold = Phrase.Plain("never two nodes out of recovery at once");
        if (report.SplitBrain.Count == 0 && report.Readings == 0)
            return new AssertionResult(SingleWritableNodeName, threshold, Phrase.Plain("no lag reading was taken, so two writable nodes could not be ruled out"), null, Verdict.Failed);
        if (report.SplitBrain.Count == 0)
        {
            // A standby that did not answer (stopped, hung) could not say whether it was writable: the reader is told.
            var unanswered = report.Unanswered.Where(u => u.Value > 0).Select(u => $"{u.Key} did not answer in {u.Value}").ToList();
            var none = Phrase.Of($"no reading found two nodes accepting writes ({Count(report.Readings)} readings")
                .Then(unanswered.Count == 0 ? Phrase.Plain(")") : Phrase.Of($"; {string.Join(", ", unanswered)} of them)"));
            return new AssertionResult(SingleWritableNodeName, threshold, none, null, Verdict.Passed);
        }
        var first = report.SplitBrain[0];
        var observed = Phrase.Of($"split brain: {string.Join(" and ", first.Nodes)} accepted writes at once from {Seconds(first.From)} ")
            .Then(first.To is { } to ? Phrase.Of($"to {Seconds(to)}") : Phrase.Plain("to the end"));
        if (report.SplitBrain.Count > 1)
            observed = observed.Then(Phrase.Of($", and {Phrase.Counted(report.SplitBrain.Count - 1, "time")} more"));
        return new AssertionResult(SingleWritableNodeName, threshold, observed, null, Verdict.Failed);
    }

    private static AssertionResult NoSamples(string name, Phrase threshold) =>
        new(name, threshold, Phrase.Plain("no lag sample was taken"), null, Verdict.Failed);

    private static Phrase Describe(IReadOnlyList<AlertInterval> intervals, LagObserverProtocol.LagReport report, bool several) =>
        intervals.Count == 0
            ? Phrase.Of($"never fired in {Count(report.Samples.Count)} samples")
            : Phrase.Join("; ", intervals.Select(i => (several ? Phrase.Of($"{i.Standby}: fired at {Seconds(i.FiredAt)}, ") : Phrase.Of($"fired at {Seconds(i.FiredAt)}, "))
                .Then(i.ClearedAt is { } cleared ? Phrase.Of($"cleared at {Seconds(cleared)}") : Phrase.Plain("still raised at the end"))
                .Then(Phrase.Of($" (peak {i.Peak})"))));

    /// <summary>
    /// The scenario's verdict: error when the harness could not run it (an error of its own or of a step), failed
    /// when a step or an assertion failed, else passed.
    /// </summary>
    public static Verdict Overall(string? error, IReadOnlyList<StepResult> steps, IReadOnlyList<AssertionResult> assertions) =>
        error is not null || steps.Any(s => s.Status == Verdict.Error) ? Verdict.Error
        : steps.Any(s => s.Status == Verdict.Failed) || assertions.Any(a => a.Status == Verdict.Failed) ? Verdict.Failed
        : Verdict.Passed;

    private static string Name(AlertKind kind) => kind.ToString().ToLowerInvariant();
}
