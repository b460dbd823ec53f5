using System.Text.Json;
using System.Xml.Linq;
using ReplicationHarness.Reporting;
using Snapshooter.Xunit;

namespace ReplicationHarness.Tests.Reporting;

/// <summary>Every writer's output, pinned by Snapshooter (text as lines, so a diff reads line by line).</summary>
public class ReportWriterSnapshotTests
{
    private static string[] Lines(string text) => text.Split('\n');

    [Fact]
    public void Markdown_summary_matches_its_snapshot() => Snapshot.Match(Lines(MarkdownReportWriter.Render(SampleReports.TwoScenarios())));

    [Fact]
    public void Junit_xml_matches_its_snapshot() => Snapshot.Match(Lines(JunitReportWriter.Render(SampleReports.TwoScenarios())));

    [Fact]
    public void Html_matches_its_snapshot() => Snapshot.Match(Lines(HtmlReportWriter.Render(SampleReports.TwoScenarios(), chartLibrary: "/* Chart.js */")));

    [Fact]
    public void Json_matches_its_snapshot() => Snapshot.Match(Lines(JsonReportWriter.Serialize(SampleReports.TwoScenarios(), [])));

    [Fact]
    public void Normalized_json_matches_its_snapshot() =>
        Snapshot.Match(Lines(JsonSerializer.Serialize(ReportNormalizer.Normalize(SampleReports.TwoScenarios()), JsonReportWriter.Options)));

    [Fact]
    public void Junit_xml_has_a_suite_per_scenario_and_a_failure_with_the_message_a_person_needs()
    {
        var xml = XDocument.Parse(JunitReportWriter.Render(SampleReports.TwoScenarios()));

        var root = xml.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(["single-insert", "simulated-delay"], root.Elements("testsuite").Select(s => (string)s.Attribute("name")!));
        var failure = Assert.Single(root.Descendants("failure"));
        Assert.Equal("visible_within <= 1s, observed max 2004.7ms over 1 write", (string)failure.Attribute("message")!);
        Assert.Equal("simulated-delay.steps[0] insert", (string)failure.Parent!.Attribute("classname")!);
        Assert.Equal(1, (int)root.Attribute("failures")!);
        Assert.Equal(1, (int)root.Attribute("skipped")!);
        Assert.Equal(root.Descendants("testcase").Count(), (int)root.Attribute("tests")!);
    }

    [Fact]
    public void Html_is_self_contained_and_embeds_chart_data_safely()
    {
        var html = HtmlReportWriter.Render(SampleReports.TwoScenarios());

        Assert.Contains("Chart.js v4", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("href=\"http", html);
        Assert.Contains("<canvas id=\"lag-0\">", html);
        Assert.Contains("<canvas id=\"ttv-1\">", html);
        var json = html.Split("<script type=\"application/json\" id=\"report-data\">")[1].Split("</script>")[0];
        var data = JsonDocument.Parse(json).RootElement.GetProperty("scenarios");
        Assert.Equal(2, data.GetArrayLength());
        Assert.Equal(1000, data[1].GetProperty("alertMs").GetDouble());
        Assert.Equal("time", data[1].GetProperty("alerts")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public void Three_close_writes_get_a_bar_each_not_one_bar()
    {
        // The case: three writes within a few hundred microseconds shared one bar of fixed buckets.
        var buckets = VisibilityHistogram.Buckets([210, 330, 460]);

        Assert.Equal(["200 us - 300 us", "300 us - 400 us", "400 us - 500 us"], buckets.Select(b => b.Label));
        Assert.All(buckets, b => Assert.Equal(1, b.Count));
    }

    [Fact]
    public void Times_spread_over_orders_of_magnitude_get_1_2_5_steps_from_the_fastest_to_the_slowest()
    {
        var buckets = VisibilityHistogram.Buckets([140, 345, 512, 2_004_700]);

        Assert.Equal("100 us - 200 us", buckets[0].Label);
        Assert.Equal("2000 ms - 5000 ms", buckets[^1].Label);
        Assert.Equal(4, buckets.Sum(b => b.Count));
        Assert.Equal((1, 1), (buckets[0].Count, buckets[^1].Count));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(300, 10)]
    [InlineData(1_000_000, 12)]
    public void Bars_follow_sturges_rule_within_bounds(int writes, int bars) => Assert.Equal(bars, VisibilityHistogram.Bars(writes));

    [Fact]
    public void A_threshold_far_above_the_data_is_left_off_the_scale()
    {
        // The case: a 26 kB lag under a 10 MB threshold was a flat line at zero.
        var axis = ChartAxis.For(26_000, 10 * 1024 * 1024);

        Assert.Equal(new ChartAxis(50_000, ThresholdOnChart: false), axis);
    }

    [Fact]
    public void A_threshold_near_the_data_is_drawn_and_the_axis_reaches_it()
    {
        Assert.Equal(new ChartAxis(2000, ThresholdOnChart: true), ChartAxis.For(1500, 1000));
        Assert.Equal(new ChartAxis(1, ThresholdOnChart: false), ChartAxis.For(0, null));
    }
}
