using System.Text.Json.Serialization;
using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>One scenario in <c>report.json</c>.</summary>
/// <param name="Name">The scenario's name.</param>
/// <param name="File">Its file.</param>
/// <param name="Status">Passed, failed or error.</param>
/// <param name="DurationMs">Steps and assertions (provisioning excluded).</param>
/// <param name="Pair">The pair it ran on, or null when provisioning failed.</param>
/// <param name="Steps">Each step with its checks.</param>
/// <param name="Assertions">Whole-scenario assertions: name, threshold, observed, margin, status.</param>
/// <param name="TimeToVisible">Time-to-visible distribution in microseconds, with the probe interval as uncertainty.</param>
/// <param name="Writes">Each marked write's measurement.</param>
/// <param name="Alerts">Alerts with fired and cleared times (ms from the scenario's start).</param>
/// <param name="Observer">The lag observer's interval and alert thresholds, to draw beside the series.</param>
/// <param name="Lag">The lag time series.</param>
/// <param name="Error">Why the scenario could not run, for status error.</param>
/// <param name="LagPercentiles">Percentiles of the lag series in bytes and milliseconds.</param>
/// <param name="Faults">Faults injected and what the harness restored at the end, in order.</param>
/// <param name="WritesNotVisible">Probed writes not visible within their deadline, with why; absent when every probed write was seen.</param>
/// <param name="TimeToVisibleByStandby">Each standby's own time-to-visible statistics when writes were seen on several (<paramref name="TimeToVisible"/> is then over all of them together); absent for a pair.</param>
/// <param name="Reads">The reads steps' history: its size and files; absent when the scenario made no reads.</param>
/// <param name="Matrix">For a combination of a scenario's <c>matrix:</c>, each axis and its value in file order; absent otherwise.</param>
/// <param name="Worker">The cluster worker that ran it (<c>run --cluster</c>), as it named itself with its address; absent for a run on one machine.</param>
/// <param name="LagPercentilesByStandby">Each standby's own lag percentiles when there are several (<paramref name="LagPercentiles"/> is then over all their samples together); absent for a pair.</param>
internal sealed record ScenarioReport(
    string Name,
    string File,
    Verdict Status,
    double DurationMs,
    PairReport? Pair,
    IReadOnlyList<StepReport> Steps,
    IReadOnlyList<AssertionResult> Assertions,
    VisibilityStatistics? TimeToVisible,
    IReadOnlyList<WriteReport> Writes,
    IReadOnlyList<AlertReport> Alerts,
    ObserverReport? Observer,
    IReadOnlyList<LagPoint> Lag,
    string? Error,
    LagStatistics? LagPercentiles = null,
    IReadOnlyList<FaultReport>? Faults = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<UnseenWriteReport>? WritesNotVisible = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StandbyLagReport>? LagPercentilesByStandby = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StandbyVisibilityReport>? TimeToVisibleByStandby = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReadsReport? Reads = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Matrix = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Worker = null);
