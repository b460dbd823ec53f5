using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>
/// Compares two runs for nightly jobs: a scenario that no longer passes, or whose time-to-visible p95
/// grew by more than a limit (and by more than the noise floor), is a regression.
/// </summary>
internal static class ReportComparison
{
    /// <summary>Compares each scenario of either run.</summary>
    /// <param name="baseline">The accepted run.</param>
    /// <param name="current">The run to judge.</param>
    /// <param name="maxP95DriftPercent">Largest tolerated growth of p95, in percent.</param>
    /// <param name="minDriftMicroseconds">Growth below this many microseconds is noise, whatever its percentage.</param>
    public static IReadOnlyList<ComparisonRow> Compare(RunReport baseline, RunReport current, double maxP95DriftPercent, double minDriftMicroseconds)
    {
        var before = baseline.Scenarios.ToDictionary(s => s.Name);
        var after = current.Scenarios.ToDictionary(s => s.Name);
        var names = current.Scenarios.Select(s => s.Name).Concat(baseline.Scenarios.Select(s => s.Name)).Distinct();
        var rows = new List<ComparisonRow>();
        foreach (var name in names)
        {
            before.TryGetValue(name, out var old);
            after.TryGetValue(name, out var now);
            var regressions = new List<string>();
            if (now is not null && now.Status != Verdict.Passed && old?.Status is null or Verdict.Passed)
                regressions.Add(old is null ? $"new scenario {ReportText.Status(now.Status)}" : $"was passed, now {ReportText.Status(now.Status)}");
            double? drift = null;
            if (old?.TimeToVisible is { } oldTtv && now?.TimeToVisible is { } newTtv && oldTtv.P95 > 0)
            {
                drift = (newTtv.P95 - oldTtv.P95) / oldTtv.P95 * 100;
                if (drift > maxP95DriftPercent && newTtv.P95 - oldTtv.P95 > minDriftMicroseconds)
                    regressions.Add($"time-to-visible p95 {ReportText.Micros(oldTtv.P95)} -> {ReportText.Micros(newTtv.P95)} (+{drift:0}%, limit {maxP95DriftPercent:0}%)");
            }
            rows.Add(new ComparisonRow(name, old?.Status, now?.Status, old?.TimeToVisible?.P95, now?.TimeToVisible?.P95, drift, regressions));
        }
        return rows;
    }
}
