using System.Text.Json;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness.Tests.Reporting;

public class VerdictJsonConverterTests
{
    [Theory]
    [InlineData(Verdict.Passed, "\"passed\"")]
    [InlineData(Verdict.Failed, "\"failed\"")]
    [InlineData(Verdict.Error, "\"error\"")]
    [InlineData(Verdict.Skipped, "\"skipped\"")]
    public void A_verdict_is_written_and_read_as_the_word_reports_have_always_used(Verdict verdict, string json)
    {
        Assert.Equal(json, JsonSerializer.Serialize(verdict, JsonReportWriter.Options));
        Assert.Equal(verdict, JsonSerializer.Deserialize<Verdict>(json, JsonReportWriter.Options));
    }

    [Fact]
    public void A_report_written_before_the_enum_is_read_with_its_verdicts()
    {
        const string old = """
            { "schemaVersion": 1, "harnessVersion": "0.1.0", "startedAt": "2026-11-25T18:00:00+00:00", "durationMs": 1, "status": "failed",
              "scenarios": [ { "name": "s", "file": "s.yaml", "status": "failed", "durationMs": 1, "pair": null,
                "steps": [ { "index": 0, "name": "wait", "action": "wait", "status": "skipped", "startedAtMs": 0, "durationMs": 0, "detail": "d", "checks": [] } ],
                "assertions": [ { "name": "max_lag_bytes", "threshold": "<= 10MB", "observed": "max 312B at 0.117s over 17 samples", "margin": "10MB", "status": "error" } ],
                "timeToVisible": null, "writes": [], "alerts": [], "observer": null, "lag": [], "error": null,
                "faults": [ { "step": null, "action": "restore", "atMs": 1, "status": "passed", "detail": "d" } ] } ] }
            """;

        var report = JsonSerializer.Deserialize<RunReport>(old, JsonReportWriter.Options)!;

        var scenario = Assert.Single(report.Scenarios);
        Assert.Equal((Verdict.Failed, Verdict.Failed), (report.Status, scenario.Status));
        Assert.Equal(Verdict.Skipped, Assert.Single(scenario.Steps).Status);
        Assert.Equal(Verdict.Error, Assert.Single(scenario.Assertions).Status);
        Assert.Equal(Verdict.Passed, Assert.Single(scenario.Faults!).Status);
    }

    [Fact]
    public void A_status_that_is_not_a_verdict_word_is_refused_with_the_text_quoted()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Verdict>("\"Passed!\"", JsonReportWriter.Options));

        Assert.Contains("'Passed!' is not a status (expected passed, failed, error or skipped)", error.Message);
    }
}
