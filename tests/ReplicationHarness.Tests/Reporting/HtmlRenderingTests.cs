using System.Diagnostics;
using ReplicationHarness.Reporting;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Reporting;

/// <summary>report.html opened in headless Chromium: the charts must actually render.</summary>
public class HtmlRenderingTests
{
    private static string? FindChromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public async Task Charts_render_in_headless_chromium()
    {
        // Two scenarios, each with a lag chart and a time-to-visible histogram; Chart.js sizes every canvas it draws.
        var html = await RenderAsync(SampleReports.TwoScenarios());

        Assert.Contains("data-charts-rendered=\"4\"", html);
        Assert.Equal(4, html.Split("<canvas").Length - 1);
        Assert.DoesNotContain("<canvas id=\"lag-0\"></canvas>", html);
    }

    [SkippableFact]
    public async Task The_reads_chart_renders_beside_the_lag_chart()
    {
        var html = await RenderAsync(SampleReports.WithReads());

        Assert.Contains("data-charts-rendered=\"5\"", html);
        Assert.DoesNotContain("<canvas id=\"reads-0\"></canvas>", html);
        Assert.Contains("Reads: 2 answered, 1 stale (missed an append acknowledged before they were sent); history of 4 operations in single-insert.history.jsonl and single-insert.history.edn.", html);
    }

    /// <summary>The page as headless Chromium leaves it once its script ran.</summary>
    private static async Task<string> RenderAsync(ReplicationHarness.Reporting.RunReport report)
    {
        var chromium = FindChromium();
        Skip.If(chromium is null, "Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it");

        using var dir = new TempDirectory();
        var page = dir.Write("report.html", HtmlReportWriter.Render(report));
        var start = new ProcessStartInfo(chromium!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(dir.Path, "profile")}",
                     "--virtual-time-budget=5000", "--dump-dom", $"file://{page}",
                 })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var dom = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return await dom;
    }
}
