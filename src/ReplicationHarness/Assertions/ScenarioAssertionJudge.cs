using ReplicationHarness.Actors;
using ReplicationHarness.Observation;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Assertions;

/// <summary>Judges a scenario's whole-run assertions against what the lag observer saw.</summary>
public static class ScenarioAssertionJudge
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
        // A "never above" claim holds only where lag was measured: moments without a sample fail it, with why.
        var unknown = report.FailedReadings.Where(t => !(primaryDown ?? []).Any(down => t >= down.From && (down.To is not { } to || t <= to))).ToList();

        if (assertions.MaxLagBytes is { } maxBytes)
        {
            results.Add(samples.Count == 0
                ? NoSamples("max_lag_bytes", $"<= {maxBytes}")
                : Judge("max_lag_bytes", $"<= {maxBytes}", samples.MaxBy(s => s.LagBytes)!, s => $"max {new ByteSize(s.LagBytes).Describe()} at {Seconds(s.At)}",
                    s => maxBytes.Bytes - s.LagBytes, margin => new ByteSize(Math.Abs(margin)).ToString(), report));
        }
        if (assertions.MaxLagTime is { } maxTime)
        {
            results.Add(samples.Count == 0
                ? NoSamples("max_lag_time", $"<= {DurationText.Format(maxTime)}")
                : Judge("max_lag_time", $"<= {DurationText.Format(maxTime)}", samples.MaxBy(s => s.LagTime)!, s => $"max {Seconds(s.LagTime)} at {Seconds(s.At)}",
                    s => (long)(maxTime - s.LagTime).TotalMicroseconds, margin => Seconds(TimeSpan.FromMicroseconds(Math.Abs(margin))), report));
        }
        foreach (var kind in assertions.AlertsFired)
        {
            var intervals = report.Alerts.Where(a => a.Kind == kind).ToList();
            var status = intervals.Count > 0 ? Verdict.Passed : ranToTheEnd ? Verdict.Failed : Verdict.Skipped;
            results.Add(new AssertionResult($"alert fired: {Name(kind)}", "fires at least once", Describe(intervals, report), null, status));
        }
        foreach (var kind in assertions.AlertsNotFired)
        {
            var intervals = report.Alerts.Where(a => a.Kind == kind).ToList();
            results.Add(new AssertionResult($"alert not fired: {Name(kind)}", "never fires", Describe(intervals, report), null, intervals.Count == 0 ? Verdict.Passed : Verdict.Failed));
        }
        if (unknown.Count > 0)
        {
            var gap = $"; but lag is unknown for {unknown.Count} reading{(unknown.Count == 1 ? "" : "s")} between {Seconds(unknown[0])} and {Seconds(unknown[^1])}: "
                + $"the primary could not be read ({report.FirstFailure ?? "no reason given"})";
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Name is "max_lag_bytes" or "max_lag_time" || results[i].Name.StartsWith("alert not fired:", StringComparison.Ordinal))
                    results[i] = results[i] with { Observed = results[i].Observed + gap, Margin = null, Status = Verdict.Failed };
            }
        }
        if (assertions.ContentsEqual)
            results.Add(contents ?? new AssertionResult("contents_equal", "same rows on both nodes", "not compared: the run ended early", null, Verdict.Skipped));
        return results;
    }

    private static AssertionResult Judge(string name, string threshold, LagSample worst, Func<LagSample, string> describe, Func<LagSample, long> margin, Func<long, string> formatMargin, LagObserverProtocol.LagReport report)
    {
        var value = margin(worst);
        var observed = $"{describe(worst)} over {report.Samples.Count} samples";
        return new AssertionResult(name, threshold, observed, (value < 0 ? "-" : "") + formatMargin(value), value >= 0 ? Verdict.Passed : Verdict.Failed);
    }

    private static AssertionResult NoSamples(string name, string threshold) =>
        new(name, threshold, "no lag sample was taken", null, Verdict.Failed);

    private static string Describe(IReadOnlyList<AlertInterval> intervals, LagObserverProtocol.LagReport report) =>
        intervals.Count == 0
            ? $"never fired in {report.Samples.Count} samples"
            : string.Join("; ", intervals.Select(i => $"fired at {Seconds(i.FiredAt)}, " + (i.ClearedAt is { } cleared ? $"cleared at {Seconds(cleared)}" : "still raised at the end") + $" (peak {i.Peak})"));

    /// <summary>
    /// The scenario's verdict: error when the harness could not run it (an error of its own or of a step), failed
    /// when a step or an assertion failed, else passed.
    /// </summary>
    public static Verdict Overall(string? error, IReadOnlyList<StepResult> steps, IReadOnlyList<AssertionResult> assertions) =>
        error is not null || steps.Any(s => s.Status == Verdict.Error) ? Verdict.Error
        : steps.Any(s => s.Status == Verdict.Failed) || assertions.Any(a => a.Status == Verdict.Failed) ? Verdict.Failed
        : Verdict.Passed;

    private static string Name(AlertKind kind) => kind.ToString().ToLowerInvariant();

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.###}s";
}
