using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>The report of one run of the harness: what ran, where, and every verdict. Serialized as <c>report.json</c>.</summary>
/// <param name="SchemaVersion">Version of this document's shape; bumped on any incompatible change.</param>
/// <param name="HarnessVersion">The harness's version.</param>
/// <param name="StartedAt">When the run started (UTC, for people; durations come from a monotonic clock).</param>
/// <param name="DurationMs">How long the whole run took.</param>
/// <param name="Status">Passed, failed or error: the worst of the scenarios.</param>
/// <param name="Scenarios">One entry per scenario, in the order run.</param>
internal sealed record RunReport(int SchemaVersion, string HarnessVersion, DateTimeOffset StartedAt, double DurationMs, Verdict Status, IReadOnlyList<ScenarioReport> Scenarios)
{
    /// <summary>The current <see cref="SchemaVersion"/>.</summary>
    public const int CurrentSchemaVersion = 1;
}
