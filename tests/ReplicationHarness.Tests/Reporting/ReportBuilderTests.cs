using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;
using ReplicationHarness.Measures;

namespace ReplicationHarness.Tests.Reporting;

public class ReportBuilderTests
{
    private static LagSample Sample(string standby, double seconds, long bytes) =>
        new(TimeSpan.FromSeconds(seconds), new Lsn(0x3000000), new Lsn(0x3000000), new Lsn(0x3000000), false, "streaming", bytes, TimeSpan.FromMilliseconds(bytes / 100), Standby: standby);

    private static VisibilityMeasurement Seen(string standby, double micros) =>
        new(1, 0, "insert", 1, micros, 50, micros + 100, 2, new Lsn(100), new Lsn(200), standby);

    private static ScenarioResult TwoStandbys() => new("cascade", "cascade.yaml", Verdict.Passed, TimeSpan.FromSeconds(1), [], [],
        [Seen("s1", 400), Seen("s2", 900)],
        [Sample("s1", 0.1, 0), Sample("s2", 0.1, 2048), Sample("s1", 0.2, 100), Sample("s2", 0.2, 4096)],
        [new AlertInterval(AlertKind.Bytes, TimeSpan.FromSeconds(0.1), null, Measure.Measured(new ByteSize(4096)), "s2")], null);

    [Fact]
    public void Several_standbys_get_their_own_lag_and_time_to_visible_and_every_entry_names_its_standby()
    {
        var report = ReportBuilder.Scenario(TwoStandbys(), null, null);

        Assert.Equal(["s1", "s2"], report.LagPercentilesByStandby!.Select(l => l.Standby));
        Assert.Equal(4096, report.LagPercentilesByStandby![1].Percentiles.BytesMax);
        Assert.Equal(100, report.LagPercentilesByStandby![0].Percentiles.BytesMax);
        Assert.Equal([("s1", 400.0), ("s2", 900.0)], report.TimeToVisibleByStandby!.Select(t => (t.Standby, t.TimeToVisible.Max)));
        Assert.Equal(["s1", "s2", "s1", "s2"], report.Lag.Select(p => p.Standby));
        Assert.Equal(["s1", "s2"], report.Writes.Select(w => w.Standby));
        Assert.Equal("s2", Assert.Single(report.Alerts).Standby);
        Assert.StartsWith("Replay lag of s1 over 2 samples: p50 0B", ReportText.Lag(report));
        Assert.Contains("; of s2 over 2 samples: p50 2kB", ReportText.Lag(report));
        Assert.Equal("Time to visible on s1 over 1 write: p50 400 us, p95 400 us, p99 400 us, max 400 us (probe interval 50 us); on s2 over 1 write: p50 900 us, p95 900 us, p99 900 us, max 900 us (probe interval 50 us).",
            ReportText.Visibility(report));
    }

    [Fact]
    public void The_lag_chart_draws_one_series_per_standby()
    {
        var scenario = ReportBuilder.Scenario(TwoStandbys(), null, null);
        var html = HtmlReportWriter.Render(new RunReport(RunReport.CurrentSchemaVersion, "test", DateTimeOffset.UnixEpoch, 1000, Verdict.Passed, [scenario]), chartLibrary: "");

        Assert.Contains("\"series\":[{\"standby\":\"s1\",\"points\":[{\"t\":0.1,\"bytes\":0,", html);
        Assert.Contains("{\"standby\":\"s2\",\"points\":[{\"t\":0.1,\"bytes\":2048,", html);
    }

    [Fact]
    public void A_pair_keeps_its_one_set_of_figures()
    {
        var pair = new ScenarioResult("single", "single.yaml", Verdict.Passed, TimeSpan.FromSeconds(1), [], [], [Seen("standby", 400)], [Sample("standby", 0.1, 0)], [], null);

        var report = ReportBuilder.Scenario(pair, null, null);

        Assert.Null(report.LagPercentilesByStandby);
        Assert.Null(report.TimeToVisibleByStandby);
        Assert.StartsWith("Replay lag over 1 samples", ReportText.Lag(report));
        Assert.StartsWith("Time to visible over 1 write: ", ReportText.Visibility(report));
    }
}
