using System.Text.RegularExpressions;
using ReplicationHarness.Measures;
using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>
/// A form of a report that is the same run to run: times, sizes, positions, paths and versions hidden or zeroed,
/// the lag series dropped; names, statuses, thresholds and the shape of every check kept. What snapshot tests
/// compare, and what a person diffs to see whether a run behaved the same way.
/// </summary>
/// <remarks>
/// Checks carry values, so their figures are hidden by kind (<see cref="Mask"/>): a value keeps its sign and unit
/// and loses its number, a WAL position becomes <c>&lt;lsn&gt;</c>. Patterns (<see cref="Scrub"/>) are left for
/// the text that is still free-form: step and fault details, errors, the reasons a write was not seen, and
/// <see cref="FreeText"/> inside checks (server errors, query results, verification findings).
/// </remarks>
internal static partial class ReportNormalizer
{
    /// <summary>What a hidden number shows.</summary>
    public const string HiddenNumber = "#";

    /// <summary>What a hidden WAL position shows.</summary>
    public const string HiddenLsn = "<lsn>";

    /// <summary>The normalized copy of a report.</summary>
    public static RunReport Normalize(RunReport report) => report with
    {
        HarnessVersion = "<version>",
        StartedAt = DateTimeOffset.UnixEpoch,
        DurationMs = 0,
        Scenarios = report.Scenarios.Select(Scenario).ToList(),
    };

    /// <summary>
    /// A measure with its figures hidden: each value becomes a <see cref="Placeholder"/> of its sign and unit
    /// (<c>-#ms</c>, <c>#MB</c>, <c>#</c>, <c>&lt;lsn&gt;</c>), free text is scrubbed, the harness's words are kept.
    /// </summary>
    public static T Mask<T>(T measure)
        where T : Measure => (T)MaskAny(measure);

    /// <summary>Replaces WAL positions, absolute paths and numbers in free-form text with placeholders.</summary>
    public static string Scrub(string text)
    {
        var scrubbed = LsnPattern().Replace(text, HiddenLsn);
        scrubbed = PathPattern().Replace(scrubbed, "<path>");
        return NumberPattern().Replace(scrubbed, HiddenNumber);
    }

    private static Measure MaskAny(Measure measure) => measure switch
    {
        Phrase phrase => new Phrase(phrase.Parts.Select(MaskAny)),
        Words or Placeholder => measure,
        FreeText free => new FreeText(Scrub(free.Text)),
        LsnMeasure => new Placeholder(HiddenLsn),
        _ => Hide(MeasureText.Figure(measure)),
    };

    private static Placeholder Hide((string Number, string Unit) figure) =>
        new((figure.Number.StartsWith('-') ? "-" : "") + HiddenNumber + figure.Unit);

    private static AssertionResult Check(AssertionResult check) =>
        check with { Observed = Mask(check.Observed), Margin = check.Margin is null ? null : Mask(check.Margin) };

    private static ScenarioReport Scenario(ScenarioReport s) => s with
    {
        File = Path.GetFileName(s.File),
        DurationMs = 0,
        Pair = s.Pair is null ? null : s.Pair with
        {
            ServerVersion = Major(s.Pair.ServerVersion),
            ProvisionMs = 0,
            Phases = s.Pair.Phases.ToDictionary(p => p.Key, _ => 0.0),
            PrimarySettings = ScrubValues(s.Pair.PrimarySettings),
            StandbySettings = ScrubValues(s.Pair.StandbySettings),
            Fingerprint = s.Pair.Fingerprint is null ? null : s.Pair.Fingerprint with
            {
                Primary = ScrubValues(s.Pair.Fingerprint.Primary),
                Standby = ScrubValues(s.Pair.Fingerprint.Standby),
            },
        },
        Steps = s.Steps.Select(step => step with
        {
            StartedAtMs = 0,
            DurationMs = 0,
            Detail = Scrub(step.Detail),
            Checks = step.Checks.Select(Check).ToList(),
        }).ToList(),
        Assertions = s.Assertions.Select(Check).ToList(),
        TimeToVisible = s.TimeToVisible is null ? null : s.TimeToVisible with { P50 = 0, P95 = 0, P99 = 0, Max = 0, ProbeInterval = 0 },
        Writes = s.Writes.Select(w => w with { Microseconds = 0, UncertaintyMicroseconds = 0, MicrosecondsSinceSent = 0, Probes = 0, CommitLsn = HiddenLsn, ReplayLsn = HiddenLsn }).ToList(),
        Faults = s.Faults?.Select(f => f with { AtMs = 0, Detail = Scrub(f.Detail) }).ToList(),
        WritesNotVisible = s.WritesNotVisible?.Select(w => w with { RowsSeen = 0, WaitedMs = 0, Reason = w.Reason is null ? null : Scrub(w.Reason), LastLook = w.LastLook is null ? null : Scrub(w.LastLook) }).ToList(),
        Alerts = s.Alerts.Select(a => a with { FiredAtMs = 0, ClearedAtMs = a.ClearedAtMs is null ? null : 0, Peak = Mask(a.Peak) }).ToList(),
        Lag = [],
        LagPercentiles = s.LagPercentiles is null ? null : Zeroed(s.LagPercentiles),
        LagPercentilesByStandby = s.LagPercentilesByStandby?.Select(l => l with { Percentiles = Zeroed(l.Percentiles) }).ToList(),
        TimeToVisibleByStandby = s.TimeToVisibleByStandby?.Select(v => v with { TimeToVisible = v.TimeToVisible with { P50 = 0, P95 = 0, P99 = 0, Max = 0, ProbeInterval = 0 } }).ToList(),
        Error = s.Error is null ? null : Scrub(s.Error),
    };

    private static LagStatistics Zeroed(LagStatistics lag) => lag with { BytesP50 = 0, BytesP95 = 0, BytesP99 = 0, BytesMax = 0, MsP50 = 0, MsP95 = 0, MsP99 = 0, MsMax = 0 };

    private static IReadOnlyDictionary<string, string> ScrubValues(IReadOnlyDictionary<string, string> settings) =>
        new SortedDictionary<string, string>(settings.ToDictionary(p => p.Key, p => p.Key == "server_version" ? Major(p.Value) : PathPattern().Replace(p.Value, "<path>")), StringComparer.Ordinal);

    private static string Major(string version) => version.Split('.', ' ')[0];

    [GeneratedRegex(@"\b[0-9A-F]{1,8}/[0-9A-F]{1,8}\b")]
    private static partial Regex LsnPattern();

    [GeneratedRegex(@"(?<![\w.])/(?:[\w.+-]+/)*[\w.+-]+")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"\d+(?:[.,]\d+)*")]
    private static partial Regex NumberPattern();
}
