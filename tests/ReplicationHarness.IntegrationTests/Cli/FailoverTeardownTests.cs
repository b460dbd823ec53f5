using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness.IntegrationTests.Cli;

/// <summary>
/// Three standbys in the middle of a failover (roles moved, a node frozen, another left behind): Ctrl-C and a step that
/// runs out of time both end the run saying so, and nothing of the topology is left running or on disk.
/// </summary>
public sealed class FailoverTeardownTests : IDisposable
{
    private const string Topology = "topology:\n  standbys:\n    s1:\n    s2:\n    s3: { upstream: s1 }\n";

    // The primary crashes, s1 (which s3 cascades from) is promoted, s2 is still pointed at the old primary, and s3 hangs.
    private const string Failover =
        "  - insert: { rows: 5 }\n"
        + "  - stop_node: { node: primary, mode: immediate }\n"
        + "  - promote: { on: s1 }\n"
        + "  - freeze_node: { node: s3 }\n";

    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private string RunDirectories => Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}", "runs");

    private async Task<string> ScenarioAsync(string name, string steps)
    {
        var path = Path.Combine(_work.Path, $"{name}.yaml");
        await File.WriteAllTextAsync(path, $"version: 1\nname: {name}\n{Topology}observer:\n  alerts: {{ stall: false }}\nsteps:\n{Failover}{steps}");
        return path;
    }

    private void AssertNothingLeft()
    {
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(Directory.Exists(RunDirectories) ? Directory.GetDirectories(RunDirectories) : []);
    }

    [Fact]
    public async Task Ctrl_c_after_a_failover_exits_130_and_leaves_none_of_the_four_servers()
    {
        var scenario = await ScenarioAsync("interrupted-failover", "  - wait: 60s\n");
        var reports = Path.Combine(_work.Path, "reports");

        var (code, output, errors) = await InterruptedRun.RunUntilPrintedAsync("[5/5] wait ...", TimeSpan.FromMilliseconds(300), Posix.SIGINT,
            "run", scenario, "--work-dir", _work.Path, "--report-dir", reports);

        Assert.True(code == ExitCodes.Interrupted, output + errors);
        Assert.Contains("[5/5] wait ERROR: interrupted", output);
        var report = (await JsonReportWriter.ReadAsync(Path.Combine(reports, JsonReportWriter.FileName), CancellationToken.None))!;
        Assert.Equal(Verdict.Passed, Assert.Single(report.Scenarios).Steps[2].Status);
        AssertNothingLeft();
    }

    [Fact]
    public async Task A_step_that_runs_out_of_time_after_a_failover_ends_the_run_and_leaves_none_of_the_four_servers()
    {
        // On the new primary, a statement that outlasts its step.
        var scenario = await ScenarioAsync("timed-out-failover", "  - sql: { on: s1, query: select pg_sleep(30) }\n    timeout: 1s\n");
        var reports = Path.Combine(_work.Path, "reports");

        var (code, output) = await HarnessCli.RunAsync("run", scenario, "--work-dir", _work.Path, "--report-dir", reports);

        Assert.True(code != ExitCodes.Success, output);
        var report = (await JsonReportWriter.ReadAsync(Path.Combine(reports, JsonReportWriter.FileName), CancellationToken.None))!;
        var steps = Assert.Single(report.Scenarios).Steps;
        Assert.All(steps.Take(4), s => Assert.Equal(Verdict.Passed, s.Status));
        Assert.NotEqual(Verdict.Passed, steps[4].Status);
        AssertNothingLeft();
    }
}
