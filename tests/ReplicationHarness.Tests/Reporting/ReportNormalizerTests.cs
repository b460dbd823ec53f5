using System.Text.Json;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

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
    [InlineData("max 345us over 1 write", "max #us over # write")]
    [InlineData("replayed up to 0/302A128 after 594us", "replayed up to <lsn> after #us")]
    [InlineData("passfile=/tmp/run-1/replication.pgpass port=36967", "passfile=<path> port=#")]
    [InlineData("2,097,155 bytes", "# bytes")]
    public void Scrubbing_replaces_numbers_positions_and_paths(string text, string expected) => Assert.Equal(expected, ReportNormalizer.Scrub(text));

    private static string Serialize(RunReport report) => JsonSerializer.Serialize(report, JsonReportWriter.Options);
}
