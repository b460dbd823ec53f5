using ReplicationHarness.Observation;

namespace ReplicationHarness.Results;

/// <summary>Everything a scenario run produced: verdicts, measurements and the lag time series.</summary>
/// <param name="Name">The scenario's name.</param>
/// <param name="File">Its file.</param>
/// <param name="Status">Passed, failed (an assertion did not hold) or error (it could not run).</param>
/// <param name="Duration">How long the steps and assertions took (provisioning excluded).</param>
/// <param name="Steps">Each step's result; steps after a failure are skipped.</param>
/// <param name="Assertions">The whole-scenario assertions.</param>
/// <param name="Visibility">Every marked write's time-to-visible.</param>
/// <param name="LagSeries">The lag observer's samples.</param>
/// <param name="Alerts">Alerts raised, with when they fired and cleared.</param>
/// <param name="Error">Why the scenario could not run, for status error.</param>
internal sealed record ScenarioResult(
    string Name,
    string File,
    Verdict Status,
    TimeSpan Duration,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<AssertionResult> Assertions,
    IReadOnlyList<VisibilityMeasurement> Visibility,
    IReadOnlyList<LagSample> LagSeries,
    IReadOnlyList<AlertInterval> Alerts,
    string? Error)
{
    /// <summary>The faults injected (network, node stops and starts, promotion, delays, replay pauses) and what the harness undid at the end, in order.</summary>
    public IReadOnlyList<InjectedFault> Faults { get; init; } = [];

    /// <summary>Probed writes that were not visible within their deadline (or could not be probed), with why.</summary>
    public IReadOnlyList<UnseenWrite> Unseen { get; init; } = [];

    /// <summary>The reads steps' history: every append and read their clients made, invocations and completions.</summary>
    public IReadOnlyList<History.HistoryOperation> History { get; init; } = [];

    /// <summary>Time-to-visible over the marked writes that were seen (<see cref="Unseen"/> lists the others).</summary>
    public VisibilityStatistics? VisibilityStatistics => VisibilityStatistics.Of(Visibility);

    /// <summary>Every check that failed, steps' and scenario's, for the summary.</summary>
    public IEnumerable<(string Where, AssertionResult Check)> Failures =>
        Steps.SelectMany(s => s.Checks.Where(c => c.Status == Verdict.Failed).Select(c => ($"steps[{s.Index}] {s.Name}", c)))
            .Concat(Assertions.Where(a => a.Status == Verdict.Failed).Select(a => ("assertions", a)));
}
