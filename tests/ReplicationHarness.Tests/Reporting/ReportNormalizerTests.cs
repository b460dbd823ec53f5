using System.Text.Json;
using ReplicationHarness.Measures;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Reporting;

public class ReportNormalizerTests
{
    [Fact]
    public void Two_runs_that_differ_only_in_timings_paths_and_positions_normalize_alike()
    {
        var first = SampleReports.TwoScenarios();
        var second = SampleReports.TwoScenarios(ttvScale: 1.37) with { StartedAt = DateTimeOffset.UtcNow, DurationMs = 9999, HarnessVersion = "0.2.0" };

        Assert.NotEqual(Serialize(first), Serialize(second));
        Assert.Equal(Serialize(ReportNormalizer.Normalize(first)), Serialize(ReportNormalizer.Normalize(second)));
    }

    [Fact]
    public void A_changed_verdict_survives_normalization()
    {
        var failed = ReportNormalizer.Normalize(SampleReports.TwoScenarios(secondStatus: Verdict.Failed));
        var passed = ReportNormalizer.Normalize(SampleReports.TwoScenarios(secondStatus: Verdict.Passed));

        Assert.NotEqual(Serialize(failed), Serialize(passed));
    }

    [Theory]
    [InlineData(345, "#us")]
    [InlineData(2_004_700, "#ms")]
    [InlineData(-1_004_700, "-#ms")]
    public void A_hidden_duration_keeps_its_sign_and_unit(double microseconds, string shape) =>
        Assert.Equal(new Placeholder(shape), ReportNormalizer.Mask<Measure>(Fine(microseconds)));

    [Fact]
    public void Every_kind_of_value_is_hidden_by_kind_not_by_pattern()
    {
        Assert.Equal(new Placeholder("#MB"), ReportNormalizer.Mask<Measure>(Exact(new ByteSize(10 << 20))));
        Assert.Equal(new Placeholder("#kB"), ReportNormalizer.Mask<Measure>(Measured(new ByteSize(1500))));
        Assert.Equal(new Placeholder("#s"), ReportNormalizer.Mask<Measure>(Seconds(TimeSpan.FromMilliseconds(117))));
        Assert.Equal(new Placeholder("#"), ReportNormalizer.Mask<Measure>(Grouped(12_500)));
        Assert.Equal(new Placeholder("-#"), ReportNormalizer.Mask<Measure>(Count(-1)));
        Assert.Equal(new Placeholder("#/s"), ReportNormalizer.Mask<Measure>(Rate(new RowRate(500))));
        Assert.Equal(new Placeholder("#MB/s"), ReportNormalizer.Mask<Measure>(Rate(new Bandwidth(1 << 20))));
        Assert.Equal(new Placeholder("<lsn>"), ReportNormalizer.Mask<Measure>(Position(Lsn.Parse("0/302A128"))));
    }

    [Fact]
    public void A_phrase_keeps_its_words_hides_its_values_and_scrubs_its_free_text()
    {
        var phrase = Phrase.Of($"replayed up to {Position(Lsn.Parse("0/302A128"))} after {Measured(TimeSpan.FromMicroseconds(594))} in md5 table ({"error at 0/3000148 in /tmp/run-1/x, 3 times"})");

        var masked = ReportNormalizer.Mask(phrase);

        Assert.Equal([new Words("replayed up to "), new Placeholder("<lsn>"), new Words(" after "), new Placeholder("#us"), new Words(" in md5 table ("),
            new FreeText("error at <lsn> in <path>, # times"), new Words(")")], masked.Parts);
        Assert.Equal("replayed up to <lsn> after #us in md5 table (error at <lsn> in <path>, # times)", MeasureText.Format(masked));
    }

    [Fact]
    public void Thresholds_and_names_are_kept_while_observations_and_margins_are_hidden()
    {
        var check = ReportNormalizer.Normalize(SampleReports.TwoScenarios()).Scenarios[0].Steps[1].Checks.Single();

        Assert.Equal(("visible_within", Phrase.Of($"<= {Exact(TimeSpan.FromSeconds(1))}")), (check.Name, check.Threshold));
        Assert.Equal(Phrase.Of($"max {new Placeholder("#us")} over {new Placeholder("#")} write"), check.Observed);
        Assert.Equal(new Placeholder("#ms"), check.Margin);
    }

    [Theory]
    [InlineData("max 345us over 1 write", "max #us over # write")]
    [InlineData("replayed up to 0/302A128 after 594us", "replayed up to <lsn> after #us")]
    [InlineData("passfile=/tmp/run-1/replication.pgpass port=36967", "passfile=<path> port=#")]
    [InlineData("2,097,155 bytes", "# bytes")]
    public void Scrubbing_free_text_replaces_numbers_positions_and_paths(string text, string expected) => Assert.Equal(expected, ReportNormalizer.Scrub(text));

    private static string Serialize(RunReport report) => JsonSerializer.Serialize(report, JsonReportWriter.Options);
}
