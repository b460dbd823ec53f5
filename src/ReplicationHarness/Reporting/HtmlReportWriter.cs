using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ReplicationHarness.Results;
using ReplicationHarness.Units;

namespace ReplicationHarness.Reporting;

/// <summary>
/// Writes <c>report.html</c>: one self-contained file (no network) with a summary table and, per scenario,
/// a lag chart (one series per standby in its own colour, axes scaled to the data, thresholds drawn or named at the
/// edge, alert intervals shaded) and a
/// time-to-visible histogram with buckets sized to the data, drawn by
/// Chart.js, which is inlined.
/// </summary>
internal static class HtmlReportWriter
{
    /// <summary>The file's name in the report directory.</summary>
    public const string FileName = "report.html";

    /// <summary>Renders the report; <paramref name="chartLibrary"/> replaces the inlined Chart.js (tests pass a placeholder).</summary>
    public static string Render(RunReport report, string? chartLibrary = null)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>Replication report: {Verdict(report.Status)}</title>\n<style>\n{Style}</style>\n</head>\n<body data-charts-rendered=\"0\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Replication report: <span class=\"{Verdict(report.Status)}\">{Verdict(report.Status)}</span></h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{E(ReportText.Tally(report))}. Harness {E(report.HarnessVersion)}, started {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {E(ReportText.Seconds(report.DurationMs))}.</p>\n");

        html.Append("<table class=\"summary\">\n<tr><th>scenario</th><th>status</th><th>steps</th><th>visible p50</th><th>visible p99</th><th>max lag</th><th>time</th></tr>\n");
        for (var i = 0; i < report.Scenarios.Count; i++)
        {
            var s = report.Scenarios[i];
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"#scenario-{i}\">{E(s.Name)}</a></td><td class=\"{Verdict(s.Status)}\">{Verdict(s.Status)}</td><td>{ReportText.Steps(s)}</td><td>{E(ReportText.Micros(s.TimeToVisible?.P50))}</td><td>{E(ReportText.Micros(s.TimeToVisible?.P99))}</td><td>{E(ReportText.MaxLag(s.Lag))}</td><td>{E(ReportText.Seconds(s.DurationMs))}</td></tr>\n");
        }
        html.Append("</table>\n");

        for (var i = 0; i < report.Scenarios.Count; i++)
            Scenario(html, report.Scenarios[i], i);

        html.Append("<script>\n").Append(chartLibrary ?? Resource("chart.umd.min.js")).Append("\n</script>\n");
        html.Append("<script type=\"application/json\" id=\"report-data\">").Append(ChartData(report)).Append("</script>\n");
        html.Append("<script>\n").Append(Resource("report.js")).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Scenario(StringBuilder html, ScenarioReport s, int index)
    {
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"scenario\" id=\"scenario-{index}\">\n<h2>{E(s.Name)} <span class=\"{Verdict(s.Status)}\">{Verdict(s.Status)}</span></h2>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{E(ReportText.Where(s))}</p>\n");
        if (ReportText.Matrix(s) is { } matrix)
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{E(matrix)}</p>\n");
        if (ReportText.Worker(s) is { } worker)
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{E(worker)}</p>\n");
        if (s.Error is { } error)
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"failed\">Error: {E(error)}</p>\n");
        foreach (var caveat in s.Pair?.Fingerprint?.Caveats ?? [])
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"caveat\">Note: {E(caveat)}</p>\n");
        foreach (var sentence in new[] { ReportText.Visibility(s), ReportText.Lag(s), ReportText.Reads(s) }.OfType<string>())
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(sentence)}</p>\n");
        html.Append("<div class=\"charts\">");
        html.Append(s.Lag.Count > 0 ? $"<div class=\"chart\"><canvas id=\"lag-{index}\"></canvas></div>" : "<div class=\"chart empty\">no lag samples</div>");
        html.Append(s.Writes.Count > 0 ? $"<div class=\"chart\"><canvas id=\"ttv-{index}\"></canvas></div>" : "<div class=\"chart empty\">no marked writes</div>");
        if (s.Reads is { } reads)
            html.Append(reads.Points.Count > 0 ? $"<div class=\"chart\"><canvas id=\"reads-{index}\"></canvas></div>" : "<div class=\"chart empty\">no read answered</div>");
        html.Append("</div>\n");

        if (s.Faults is { Count: > 0 } faults)
        {
            html.Append("<table class=\"faults\">\n<tr><th>injected at</th><th>by</th><th>fault</th><th>status</th><th>what</th></tr>\n");
            foreach (var f in faults)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{(f.AtMs / 1000).ToString("0.###", CultureInfo.InvariantCulture)} s</td><td>{(f.Step is { } i ? $"steps[{i}]" : "the harness, at the end")}</td><td>{E(f.Action)}</td><td class=\"{Verdict(f.Status)}\">{Verdict(f.Status)}</td><td>{E(f.Detail)}</td></tr>\n");
            }
            html.Append("</table>\n");
        }
        if (s.Assertions.Count > 0)
        {
            html.Append("<table>\n<tr><th>assertion</th><th>threshold</th><th>observed</th><th>margin</th><th>verdict</th></tr>\n");
            foreach (var a in s.Assertions)
                Row(html, a);
            html.Append("</table>\n");
        }
        html.Append("<table>\n<tr><th>step</th><th>status</th><th>time</th><th>detail and checks</th></tr>\n");
        foreach (var step in s.Steps)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{step.Index} {E(step.Name)} <span class=\"action\">{E(step.Action)}</span></td><td class=\"{Verdict(step.Status)}\">{Verdict(step.Status)}</td><td>{step.DurationMs.ToString("0.#", CultureInfo.InvariantCulture)} ms</td><td>{E(step.Detail)}");
            if (step.Checks.Count > 0)
            {
                html.Append("<ul>");
                foreach (var c in step.Checks)
                    html.Append(CultureInfo.InvariantCulture, $"<li class=\"{Verdict(c.Status)}\">{E(c.Name)} {E(MeasureText.Format(c.Threshold))}: {E(MeasureText.Format(c.Observed))}{(c.Margin is { } m ? $" (margin {E(MeasureText.Format(m))})" : "")}</li>");
                html.Append("</ul>");
            }
            html.Append("</td></tr>\n");
        }
        html.Append("</table>\n</section>\n");
    }

    private static void Row(StringBuilder html, AssertionResult a) => html.Append(CultureInfo.InvariantCulture,
        $"<tr><td>{E(a.Name)}</td><td>{E(MeasureText.Format(a.Threshold))}</td><td>{E(MeasureText.Format(a.Observed))}</td><td>{E(a.Margin is { } margin ? MeasureText.Format(margin) : "")}</td><td class=\"{Verdict(a.Status)}\">{Verdict(a.Status)}</td></tr>\n");

    /// <summary>The numbers the charts draw, as JSON (System.Text.Json escapes &lt; and &gt;, so it cannot end the script element).</summary>
    private static string ChartData(RunReport report) => JsonSerializer.Serialize(new
    {
        scenarios = report.Scenarios.Select(s => new
        {
            name = s.Name,
            alertBytes = s.Observer?.AlertBytes,
            alertMs = s.Observer?.AlertMs,
            bytesAxis = Axis(ChartAxis.For(s.Lag.Count == 0 ? 0 : s.Lag.Max(p => (double)p.LagBytes), s.Observer?.AlertBytes),
                s.Observer is { } bytes ? $"byte alert at {new ByteSize(bytes.AlertBytes).Describe()}" : null),
            msAxis = Axis(ChartAxis.For(s.Lag.Count == 0 ? 0 : s.Lag.Max(p => p.LagMs), s.Observer?.AlertMs),
                s.Observer is { } time ? string.Create(CultureInfo.InvariantCulture, $"time alert at {time.AlertMs:0.#} ms") : null),
            series = s.Lag.GroupBy(p => p.Standby).Select(g => new { standby = g.Key, points = g.Select(p => new { t = Math.Round(p.AtMs / 1000, 4), bytes = p.LagBytes, ms = Math.Round(p.LagMs, 2) }) }),
            alerts = s.Alerts.Select(a => new { kind = a.Kind, from = a.FiredAtMs / 1000, to = a.ClearedAtMs / 1000 }),
            faults = (s.Faults ?? []).Select(f => new { at = Math.Round(f.AtMs / 1000, 4), label = f.Action }),
            reads = (s.Reads?.Points ?? []).GroupBy(p => p.Node).Select(g => new
            {
                node = g.Key,
                points = g.Select(p => new { t = Math.Round(p.Nanos / 1e9, 4), ms = Math.Round(p.StalenessNanos / 1e6, 2) }),
            }),
            histogram = VisibilityHistogram.Buckets(s.Writes.Select(w => w.Microseconds).ToList()).Select(b => new { label = b.Label, count = b.Count }),
        }),
    });

    /// <summary>An axis for the page's script; the label names a threshold left off the scale.</summary>
    private static object Axis(ChartAxis axis, string? threshold) => new
    {
        max = axis.Max,
        thresholdOnChart = axis.ThresholdOnChart,
        offScale = threshold is not null && !axis.ThresholdOnChart ? $"{threshold} (above this scale)" : null,
    };

    private static string Verdict(Verdict verdict) => ReportText.Status(verdict);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Resource(string name)
    {
        using var stream = typeof(HtmlReportWriter).Assembly.GetManifestResourceStream($"ReplicationHarness.Reporting.{name}")
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private const string Style = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; color: #212529; padding: 0 1em; }
        h1, h2 { font-weight: 600; } h2 { margin-top: 2em; border-bottom: 1px solid #dee2e6; padding-bottom: .2em; }
        table { border-collapse: collapse; margin: 1em 0; width: 100%; }
        th, td { border: 1px solid #dee2e6; padding: .3em .6em; text-align: left; vertical-align: top; }
        th { background: #f8f9fa; }
        .passed { color: #198754; } .failed, .error { color: #dc3545; font-weight: 600; } .skipped { color: #6c757d; }
        .meta { color: #6c757d; } .caveat { background: #fff3cd; padding: .4em .8em; border-radius: 4px; }
        .action { color: #6c757d; font-size: 90%; }
        .charts { display: flex; flex-wrap: wrap; gap: 1em; } .chart { flex: 1 1 480px; min-height: 260px; }
        .chart.empty { color: #6c757d; border: 1px dashed #dee2e6; display: flex; align-items: center; justify-content: center; }
        ul { margin: .3em 0 0 1.2em; padding: 0; }

        """;
}
