using ReplicationHarness.Measures;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Reporting;

/// <summary>Turns results into the report's shape.</summary>
internal static class ReportBuilder
{
    /// <summary>The report entry of a scenario that ran (its pair may be null when it did not get one).</summary>
    public static ScenarioReport Scenario(ScenarioResult result, ProvisionedPair? pair, TimeSpan? provisionTime, ConfigurationFingerprint? fingerprint = null, LagObserverSpec? observer = null) => new(
        result.Name,
        result.File,
        result.Status,
        result.Duration.TotalMilliseconds,
        pair is null ? null : Pair(pair, provisionTime ?? TimeSpan.Zero, fingerprint),
        result.Steps.Select(s => new StepReport(s.Index, s.Name, s.Keyword, s.Status, s.StartedAt.TotalMilliseconds, s.Elapsed.TotalMilliseconds, s.Detail, s.Checks)).ToList(),
        result.Assertions,
        result.VisibilityStatistics,
        result.Visibility.Select(v => new WriteReport(v.WriteId, v.StepIndex, v.Kind, v.Rows, v.Microseconds, v.UncertaintyMicroseconds, v.MicrosecondsSinceSent, v.Probes, v.CommitLsn.ToString(), v.ReplayLsn.ToString(), v.Standby)).ToList(),
        result.Alerts.Select(a => new AlertReport(a.Kind.ToString().ToLowerInvariant(), a.FiredAt.TotalMilliseconds, a.ClearedAt?.TotalMilliseconds, a.Peak, a.Standby)).ToList(),
        observer is null ? null : new ObserverReport(observer.Interval.TotalMilliseconds, observer.AlertBytes.Bytes, observer.AlertTime.TotalMilliseconds, observer.StallDetection),
        result.LagSeries.Select(s => new LagPoint(s.At.TotalMilliseconds, s.LagBytes, s.LagTime.TotalMilliseconds, s.PrimaryFlush.ToString(), s.StandbyReceive.ToString(), s.StandbyReplay.ToString(), s.ReplayPaused, s.ReplicationState, s.Standby)).ToList(),
        result.Error,
        LagStatistics.Of(result.LagSeries),
        result.Faults.Select(f => new FaultReport(f.StepIndex, f.Action, f.At.TotalMilliseconds, f.Status, f.Detail)).ToList(),
        result.Unseen.Count == 0 ? null : result.Unseen.Select(u => new UnseenWriteReport(u.WriteId, u.StepIndex, u.Kind, u.Rows, u.RowsSeen, u.Deadline.TotalMilliseconds, u.Waited.TotalMilliseconds, u.Reason, u.LastLook, u.Standby)).ToList(),
        PerStandby(result.LagSeries),
        TimeToVisiblePerStandby(result.Visibility, result.LagSeries),
        ReadsReport.Of(result.Name, result.History));

    /// <summary>Each standby's time-to-visible statistics, when writes were seen on several (a pair's are <see cref="ScenarioReport.TimeToVisible"/>).</summary>
    private static IReadOnlyList<StandbyVisibilityReport>? TimeToVisiblePerStandby(IReadOnlyList<VisibilityMeasurement> visibility, IReadOnlyList<Observation.LagSample> series)
    {
        // In the topology's order, which the lag series keeps (probes answer in any order).
        var order = series.Select(s => s.Standby).Distinct().ToList();
        var byStandby = visibility.GroupBy(v => v.Standby)
            .OrderBy(g => order.IndexOf(g.Key) is var i and >= 0 ? i : int.MaxValue).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        // Several standbys (the lag series has each): a standby that saw none of the writes is simply absent here, and
        // its writes are in writesNotVisible; the figures of the one that saw them are still named.
        return byStandby.Count == 0 || (byStandby.Count < 2 && order.Count < 2) ? null : byStandby.Select(g => new StandbyVisibilityReport(g.Key, VisibilityStatistics.Of(g.ToList())!)).ToList();
    }

    /// <summary>Each standby's lag percentiles, when there are several (a pair's are <see cref="ScenarioReport.LagPercentiles"/>).</summary>
    private static IReadOnlyList<StandbyLagReport>? PerStandby(IReadOnlyList<Observation.LagSample> series)
    {
        var byStandby = series.GroupBy(s => s.Standby).ToList();
        return byStandby.Count < 2 ? null : byStandby.Select(g => new StandbyLagReport(g.Key, LagStatistics.Of(g.ToList())!)).ToList();
    }

    /// <summary>The report entry of a scenario that never ran because its pair could not be made.</summary>
    public static ScenarioReport NotRun(string name, string file, string error) =>
        new(name, file, Verdict.Error, 0, null, [], [], null, [], [], null, [], error);

    /// <summary>Under <c>run --reuse</c>: each scenario's report names the other scenarios that ran on its pair.</summary>
    public static IReadOnlyList<ScenarioReport> WithSharedPairs(IReadOnlyList<ScenarioReport> scenarios)
    {
        var byPair = scenarios.Where(s => s.Pair?.Reuse is not null).GroupBy(s => s.Pair!.Reuse!.Pair)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Pair!.Reuse!.Use).Select(s => (s.Name, s.Pair!.Reuse!.Use)).ToArray(), StringComparer.Ordinal);
        return scenarios.Select(s => s.Pair?.Reuse is not { } reuse ? s : s with
        {
            Pair = s.Pair with { Reuse = reuse with { SharedWith = byPair[reuse.Pair].Where(other => other.Use != reuse.Use).Select(other => other.Name).ToArray() } },
        }).ToArray();
    }

    /// <summary>The worst status of the scenarios.</summary>
    public static Verdict Overall(IEnumerable<ScenarioReport> scenarios)
    {
        var statuses = scenarios.Select(s => s.Status).ToList();
        return statuses.Contains(Verdict.Error) ? Verdict.Error : statuses.Contains(Verdict.Failed) ? Verdict.Failed : Verdict.Passed;
    }

    private static PairReport Pair(ProvisionedPair pair, TimeSpan provisionTime, ConfigurationFingerprint? fingerprint) => new(
        pair.Kind.ToString().ToLowerInvariant(),
        pair.ServerVersion,
        provisionTime.TotalMilliseconds,
        // A topology's tiers of standbys go through the same phases one tier after another: each phase's laps add up.
        pair.Timings.GroupBy(t => t.Phase).ToDictionary(g => g.Key, g => g.Sum(t => t.Elapsed.TotalMilliseconds)),
        pair.PrimarySettings,
        pair.StandbySettings,
        fingerprint,
        pair.ProductionChecks.Count == 0 ? null : pair.ProductionChecks.Select(c => new AssertionResult(c.Name, Phrase.Plain("holds"), Phrase.Free(c.Observed), null, c.Status switch
        {
            Verification.CriterionStatus.Passed => Verdict.Passed,
            Verification.CriterionStatus.Failed => Verdict.Failed,
            _ => Verdict.Skipped,
        })).ToList())
    {
        Hosts = pair.Hosts.Count == 0 ? null : pair.Hosts,
    };
}
