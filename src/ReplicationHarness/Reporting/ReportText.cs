using System.Globalization;
using ReplicationHarness.Units;

namespace ReplicationHarness.Reporting;

/// <summary>How every report writer shows numbers, so the formats agree with each other.</summary>
public static class ReportText
{
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
        string.Create(CultureInfo.InvariantCulture, $"{scenario.Steps.Count(s => s.Status == "passed")}/{scenario.Steps.Count}");

    /// <summary>Counts of each status: <c>3 scenarios: 2 passed, 1 failed, 0 errors</c>.</summary>
    public static string Tally(RunReport report) => string.Create(CultureInfo.InvariantCulture,
        $"{report.Scenarios.Count} scenario{(report.Scenarios.Count == 1 ? "" : "s")}: {report.Scenarios.Count(s => s.Status == "passed")} passed, {report.Scenarios.Count(s => s.Status == "failed")} failed, {report.Scenarios.Count(s => s.Status == "error")} errors");
}
