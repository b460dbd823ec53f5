using ReplicationHarness.Cli;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Tests.Support;
using Spectre.Console.Testing;

namespace ReplicationHarness.Tests.Reporting;

public class ReportComparisonTests
{
    [Fact]
    public void A_scenario_that_stops_passing_is_a_regression()
    {
        var rows = ReportComparison.Compare(SampleReports.TwoScenarios(secondStatus: Verdict.Passed), SampleReports.TwoScenarios(secondStatus: Verdict.Failed), 50, 500);

        Assert.Equal(["was passed, now failed"], rows.Single(r => r.Scenario == "simulated-delay").Regressions);
        Assert.Empty(rows.Single(r => r.Scenario == "single-insert").Regressions);
    }

    [Fact]
    public void P95_drift_beyond_the_limit_and_the_noise_floor_is_a_regression()
    {
        var baseline = SampleReports.TwoScenarios(secondStatus: Verdict.Passed);

        var slower = ReportComparison.Compare(baseline, SampleReports.TwoScenarios(ttvScale: 3, secondStatus: Verdict.Passed), 50, 500);
        var noisy = ReportComparison.Compare(baseline, SampleReports.TwoScenarios(ttvScale: 1.9, secondStatus: Verdict.Passed), 50, 500);

        var row = slower.Single(r => r.Scenario == "single-insert");
        Assert.Equal(200, row.P95DriftPercent!.Value, precision: 6);
        Assert.Equal(["time-to-visible p95 512 us -> 1536 us (+200%, limit 50%)"], row.Regressions);
        Assert.Empty(noisy.Single(r => r.Scenario == "single-insert").Regressions);
    }

    [Fact]
    public async Task Compare_exits_1_on_a_regression_and_0_otherwise()
    {
        using var dir = new TempDirectory();
        var baseline = dir.Write("baseline.json", JsonReportWriter.Serialize(SampleReports.TwoScenarios(secondStatus: Verdict.Passed), []));
        var worse = dir.Write("worse.json", JsonReportWriter.Serialize(SampleReports.TwoScenarios(secondStatus: Verdict.Failed), []));

        var (regressionCode, regression) = await Run("compare", baseline, worse);
        var (sameCode, same) = await Run("compare", baseline, baseline);

        Assert.Equal(ExitCodes.ScenarioFailed, regressionCode);
        Assert.Contains("regression: was passed, now failed", regression);
        Assert.Contains("1 regression", regression);
        Assert.Equal(ExitCodes.Success, sameCode);
        Assert.Contains("no regression", same);
    }

    [Fact]
    public async Task Compare_refuses_a_file_that_is_not_a_report()
    {
        using var dir = new TempDirectory();
        var junk = dir.Write("junk.json", "{ not json");

        var (code, output) = await Run("compare", junk, junk);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"error: {junk} cannot be read as a report.json", output);
        Assert.Contains("fix: pass two report.json files written by replication-harness run", output);
    }

    private static async Task<(int, string)> Run(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await HarnessApp.RunAsync(args, console);
        return (code, console.Output);
    }
}
