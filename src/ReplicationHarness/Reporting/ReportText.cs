using System.Globalization;
using ReplicationHarness.Results;
using ReplicationHarness.Units;

namespace ReplicationHarness.Reporting;

/// <summary>How every report writer shows numbers, so the formats agree with each other.</summary>
internal static class ReportText
{
    /// <summary>A verdict as every format writes it: <c>passed</c>, <c>failed</c>, <c>error</c>, <c>skipped</c>.</summary>
    public static string Status(Verdict verdict) => verdict switch
    {
        Verdict.Passed => "passed",
        Verdict.Failed => "failed",
        Verdict.Error => "error",
        Verdict.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "a verdict the report has no word for"),
    };

    /// <summary>The verdict a status word stands for; false for any other text.</summary>
    public static bool TryParseStatus(string? word, out Verdict verdict)
    {
        foreach (var candidate in Enum.GetValues<Verdict>())
        {
            if (Status(candidate) == word)
            {
                verdict = candidate;
                return true;
            }
        }
        verdict = default;
        return false;
    }

    /// <summary>Microseconds as <c>412 us</c> or <c>2003.1 ms</c>; a dash for none.</summary>
    public static string Micros(double? microseconds) => microseconds switch
    {
        null => "-",
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:0.#} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{microseconds:0} us"),
    };

    /// <summary>Milliseconds as seconds: <c>1.23 s</c>.</summary>
    public static string Seconds(double milliseconds) => string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000:0.00} s");

    /// <summary>The worst lag of a series: <c>12kB, 153 ms</c>; a dash for none.</summary>
    public static string MaxLag(IReadOnlyList<LagPoint> lag) =>
        lag.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{new ByteSize(lag.Max(l => l.LagBytes)).Describe()}, {lag.Max(l => l.LagMs):0} ms");

    /// <summary>Steps passed out of all: <c>3/5</c>.</summary>
    public static string Steps(ScenarioReport scenario) =>
        string.Create(CultureInfo.InvariantCulture, $"{scenario.Steps.Count(s => s.Status == Verdict.Passed)}/{scenario.Steps.Count}");

    /// <summary>Counts of each status: <c>3 scenarios: 2 passed, 1 failed, 0 errors</c>.</summary>
    public static string Tally(RunReport report) => string.Create(CultureInfo.InvariantCulture,
        $"{report.Scenarios.Count} scenario{(report.Scenarios.Count == 1 ? "" : "s")}: {report.Scenarios.Count(s => s.Status == Verdict.Passed)} passed, {report.Scenarios.Count(s => s.Status == Verdict.Failed)} failed, {report.Scenarios.Count(s => s.Status == Verdict.Error)} errors");

    /// <summary>Where a scenario ran: <c>file; PostgreSQL 15.18, local pair on ext4 disk, ready in 0.39 s</c>.</summary>
    public static string Where(ScenarioReport s) => s.Pair is { } pair
        ? $"{s.File}; PostgreSQL {pair.ServerVersion}, {pair.Provisioner} pair{(pair.Fingerprint?.Storage is { } storage ? $" on {storage}" : "")}, ready in {Seconds(pair.ProvisionMs)}"
        : s.File;

    /// <summary>The time-to-visible sentence of a scenario (a clause per standby when there are several), or null when it marked no write; writes never seen are counted beside it.</summary>
    public static string? Visibility(ScenarioReport s)
    {
        var seen = s.TimeToVisibleByStandby is { Count: > 0 } each
            ? "Time to visible " + string.Join("; ", each.Select(e => $"on {e.Standby} {Figures(e.TimeToVisible)}")) + "."
            : s.TimeToVisible is { } ttv ? $"Time to visible {Figures(ttv)}." : null;
        if (s.WritesNotVisible is not { Count: > 0 } unseen)
            return seen;
        var probed = unseen.Count + (s.TimeToVisible?.Count ?? 0);
        var missing = $"{unseen.Count} of {probed} probed write{(probed == 1 ? "" : "s")} not visible within {string.Join(" or ", unseen.Select(u => Micros(u.DeadlineMs * 1000)).Distinct())}: they are not in these figures.";
        return seen is null ? missing : $"{seen} {missing}";
    }

    private static string Figures(VisibilityStatistics ttv) =>
        $"over {ttv.Count} write{(ttv.Count == 1 ? "" : "s")}: p50 {Micros(ttv.P50)}, p95 {Micros(ttv.P95)}, p99 {Micros(ttv.P99)}, max {Micros(ttv.Max)} (probe interval {Micros(ttv.ProbeInterval)})";

    /// <summary>The lag percentiles sentence of a scenario (one clause per standby when there are several), or null when there were no samples.</summary>
    public static string? Lag(ScenarioReport s) => s.LagPercentilesByStandby is { Count: > 0 } each
        ? "Replay lag " + string.Join("; ", each.Select(e => $"of {e.Standby} {Percentiles(e.Percentiles)}")) + "."
        : s.LagPercentiles is { } lag ? $"Replay lag {Percentiles(lag)}." : null;

    /// <summary>The reads' history in a sentence: how many, how many stale, where the files are.</summary>
    public static string? Reads(ScenarioReport s) => s.Reads is { } reads
        ? string.Create(CultureInfo.InvariantCulture,
            $"Reads: {reads.Reads:N0} answered, {reads.StaleReads:N0} stale (missed an append acknowledged before they were sent); history of {reads.Operations:N0} operations in {string.Join(" and ", reads.HistoryFiles)}.")
        : null;

    private static string Percentiles(LagStatistics lag) => string.Create(CultureInfo.InvariantCulture,
        $"over {lag.Samples} samples: p50 {new ByteSize(lag.BytesP50).Describe()} / {lag.MsP50:0} ms, p95 {new ByteSize(lag.BytesP95).Describe()} / {lag.MsP95:0} ms, p99 {new ByteSize(lag.BytesP99).Describe()} / {lag.MsP99:0} ms, max {new ByteSize(lag.BytesMax).Describe()} / {lag.MsMax:0} ms");

    /// <summary>
    /// The line naming the cluster worker that ran the scenario, or the workers its nodes ran on (a topology across
    /// hosts, measured by the coordinator); null for a run on one machine.
    /// </summary>
    public static string? Worker(ScenarioReport scenario) =>
        scenario.Pair?.Hosts is { Count: > 0 } hosts
            ? $"Nodes ran on workers: {string.Join(", ", hosts.Select(h => $"{h.Key} on {h.Value}"))}; the coordinator's connections measured."
            : scenario.Worker is { } worker ? $"Ran on worker {worker}." : null;

    /// <summary>The line naming a matrix combination's values, or null for a scenario of no matrix.</summary>
    public static string? Matrix(ScenarioReport scenario) =>
        scenario.Matrix is { Count: > 0 } values ? $"Matrix: {string.Join(", ", values.Select(v => $"{v.Key} = {v.Value}"))}." : null;

    /// <summary>Under <c>run --reuse</c>: the pair the scenario shared and what became of it; null otherwise.</summary>
    public static string? Reuse(ScenarioReport scenario)
    {
        if (scenario.Pair?.Reuse is not { } reuse)
            return null;
        var shared = reuse.SharedWith.Count == 0 ? "a pair of its own" : $"a pair shared with {string.Join(", ", reuse.SharedWith)}";
        var reset = reuse.ResetMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $", scenario {reuse.Use} on it, reset and verified before it in {ms:0} ms") : ", built for it";
        return $"Pair: {shared} ({reuse.Pair}{reset}); after it: {reuse.After}.";
    }
}
