using System.Globalization;
using System.Text;
using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>Writes <c>report.md</c>: a summary a person reads at a glance, fit for a pull-request comment.</summary>
internal static class MarkdownReportWriter
{
    /// <summary>The file's name in the report directory.</summary>
    public const string FileName = "report.md";

    /// <summary>Renders the report.</summary>
    public static string Render(RunReport report)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Replication report: {ReportText.Status(report.Status)}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{ReportText.Tally(report)}. Harness {report.HarnessVersion}, started {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {ReportText.Seconds(report.DurationMs)}.\n\n");
        md.Append("| scenario | status | steps | visible p50 | visible p99 | max lag | time |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var s in report.Scenarios)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {Cell(s.Name)} | {Badge(s.Status)} | {ReportText.Steps(s)} | {ReportText.Micros(s.TimeToVisible?.P50)} | {ReportText.Micros(s.TimeToVisible?.P99)} | {ReportText.MaxLag(s.Lag)} | {ReportText.Seconds(s.DurationMs)} |\n");
        }

        foreach (var s in report.Scenarios)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## {Cell(s.Name)}: {ReportText.Status(s.Status)}\n\n");
            var location = ReportText.Where(s);
            md.Append(CultureInfo.InvariantCulture, $"`{s.File}`{location[s.File.Length..]}.\n");
            if (s.Error is { } error)
                md.Append(CultureInfo.InvariantCulture, $"\n**Error:** {error}\n");
            if (ReportText.Matrix(s) is { } matrix)
                md.Append(CultureInfo.InvariantCulture, $"\n{Cell(matrix)}\n");
            if (ReportText.Worker(s) is { } worker)
                md.Append(CultureInfo.InvariantCulture, $"\n{Cell(worker)}\n");
            if (ReportText.Reuse(s) is { } reuse)
                md.Append(CultureInfo.InvariantCulture, $"\n{reuse}\n");
            foreach (var caveat in s.Pair?.Fingerprint?.Caveats ?? [])
                md.Append(CultureInfo.InvariantCulture, $"\n> Note: {caveat}\n");

            var failures = s.Steps.SelectMany(step => step.Checks.Where(c => c.Status == Verdict.Failed).Select(c => ($"steps[{step.Index}] {step.Name}", c)))
                .Concat(s.Assertions.Where(a => a.Status == Verdict.Failed).Select(a => ("assertions", a))).ToList();
            if (failures.Count > 0)
            {
                md.Append("\n**Failed:**\n\n");
                foreach (var (where, check) in failures)
                    md.Append(CultureInfo.InvariantCulture, $"- {where}: `{check.Name}` {MeasureText.Format(check.Threshold)}, observed {MeasureText.Format(check.Observed)}\n");
            }
            foreach (var step in s.Steps.Where(step => step.Status == Verdict.Error))
                md.Append(CultureInfo.InvariantCulture, $"- steps[{step.Index}] {step.Name}: error: {step.Detail}\n");

            foreach (var sentence in new[] { ReportText.Visibility(s), ReportText.Lag(s), ReportText.Reads(s) }.OfType<string>())
                md.Append(CultureInfo.InvariantCulture, $"\n{sentence}\n");

            md.Append("\n| step | action | status | time | detail |\n| --- | --- | --- | --- | --- |\n");
            foreach (var step in s.Steps)
                md.Append(CultureInfo.InvariantCulture, $"| {step.Index} {Cell(step.Name)} | {step.Action} | {ReportText.Status(step.Status)} | {step.DurationMs:0.#} ms | {Cell(step.Detail)} |\n");

            if (s.Faults is { Count: > 0 } faults)
            {
                md.Append("\n| injected at | by | fault | status | what |\n| --- | --- | --- | --- | --- |\n");
                foreach (var f in faults)
                    md.Append(CultureInfo.InvariantCulture, $"| {f.AtMs / 1000:0.###} s | {(f.Step is { } i ? $"steps[{i}]" : "the harness, at the end")} | {f.Action} | {ReportText.Status(f.Status)} | {Cell(f.Detail)} |\n");
            }

            if (s.Assertions.Count > 0)
            {
                md.Append("\n| assertion | threshold | observed | margin | verdict |\n| --- | --- | --- | --- | --- |\n");
                foreach (var a in s.Assertions)
                    md.Append(CultureInfo.InvariantCulture, $"| {Cell(a.Name)} | {Cell(MeasureText.Format(a.Threshold))} | {Cell(MeasureText.Format(a.Observed))} | {Cell(a.Margin is { } margin ? MeasureText.Format(margin) : "")} | {ReportText.Status(a.Status)} |\n");
            }
            if (s.Alerts.Count > 0)
            {
                md.Append("\nAlerts: ");
                md.AppendJoin("; ", s.Alerts.Select(a => string.Create(CultureInfo.InvariantCulture,
                    $"{a.Kind} fired at {a.FiredAtMs / 1000:0.###} s, {(a.ClearedAtMs is { } c ? $"cleared at {c / 1000:0.###} s" : "still raised at the end")} (peak {MeasureText.Format(a.Peak)})")));
                md.Append(".\n");
            }
        }
        return md.ToString();
    }

    private static string Badge(Verdict status) => status switch
    {
        Verdict.Passed => "passed",
        Verdict.Failed => "**failed**",
        _ => "**error**",
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
