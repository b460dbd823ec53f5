using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>Things going wrong mid-run: the harness says what happened, exits as documented and leaves nothing behind.</summary>
public sealed class ReliabilityTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private const string LoadScenario = """
        version: 1
        name: load-then-catch-up
        steps:
          - verify_pair:
          - load: { rate: 2000/s, duration: 3s, batch: 10 }
            expect: { visible_within: 1s }
          - wait_for_catchup:
            timeout: 5s
        """;

    private async Task<(ScenarioResult Result, LocalPair Pair)> RunWhileAsync(Func<LocalPair, int> victimPid)
    {
        var scenario = ScenarioLoader.Load("load.yaml", System.Text.Encoding.UTF8.GetBytes(LoadScenario)).Scenario!;
        var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(scenario.Pair);
        var loadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SynchronousProgress<RunProgress>(p =>
        {
            if (p is { Event: RunEvent.StepStarted, StepName: "load" })
                loadStarted.TrySetResult();
        });
        var run = new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair, progress);
        // Kill once the load is under way, whatever verify_pair took on this machine.
        await loadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        Assert.True(Posix.Signal(victimPid(pair), Posix.SIGKILL));
        return (await run, pair);
    }

    [Fact]
    public async Task A_standby_killed_mid_load_fails_the_run_and_teardown_still_cleans_up()
    {
        var (result, pair) = await RunWhileAsync(p => p.StandbyServer.Pid!.Value);
        await pair.DisposeAsync();

        Assert.NotEqual(Verdict.Passed, result.Status);
        var failed = result.Steps.First(s => s.Status is Verdict.Failed or Verdict.Error);
        Assert.Equal("load", failed.Keyword);
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task Verify_pair_passes_on_a_standby_that_was_stopped_and_started_cleanly()
    {
        // A healthy pair after a clean restart: before, verify_pair failed it twice over (a false fail): a pooled
        // session of the old server answered 57P01, and the shutdown's own FATAL lines counted as errors.
        var scenario = ScenarioLoader.Load("restart.yaml", System.Text.Encoding.UTF8.GetBytes("""
            version: 1
            name: clean-restart
            steps:
              - verify_pair:
              - stop_node: { node: standby }
              - insert: { rows: 5 }
              - start_node: { node: standby }
              - wait_for_catchup:
              - verify_pair:
            """)).Scenario!;
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(scenario.Pair);

        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair);

        var verify = result.Steps[5];
        Assert.True(verify.Status == Verdict.Passed, string.Join("; ", verify.Checks.Where(c => c.Status != Verdict.Passed).Select(c => $"{c.Name}: {MeasureText.Format(c.Observed)}")));
        var log = Assert.Single(verify.Checks, c => c.Name == "no ERROR/FATAL in standby log");
        // The restart's own lines were there and were left out, saying so (the observer's and the walreceiver's at least).
        Assert.Matches(@"\(\d+ FATAL lines from requested stops and starts left out", MeasureText.Format(log.Observed));
    }

    // A standby that lost its slot and was started again: its walreceiver retries, and its log fills with
    // "requested WAL segment ... has already been removed".
    private const string LostSlot = """
        version: 1
        name: lost-slot
        pair:
          primary:
            settings: { max_slot_wal_keep_size: 32MB, wal_keep_size: 0 }
        steps:
          - stop_node: { node: standby }
          - sql: { on: primary, query: "create table filler as select g, repeat('x', 200) as pad from generate_series(1, 300000) g" }
          - sql: { on: primary, query: checkpoint }
          - start_node: { node: standby }
          - wait: 2s

        """;

    private async Task<ScenarioResult> RunLostSlotAsync(string then)
    {
        var scenario = ScenarioLoader.Load("lost.yaml", System.Text.Encoding.UTF8.GetBytes(LostSlot + then)).Scenario!;
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(scenario.Pair);
        return await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair);
    }

    [Fact]
    public async Task A_standby_that_lost_its_slot_fails_verify_pair_naming_the_lost_slot_and_the_removed_segment()
    {
        var result = await RunLostSlotAsync("  - verify_pair:\n    timeout: 3s\n");

        var checks = result.Steps[5].Checks.ToDictionary(c => c.Name, c => (c.Status, Observed: MeasureText.Format(c.Observed)));
        Assert.Equal(Verdict.Failed, result.Steps[5].Status);
        Assert.Equal(Verdict.Failed, checks["slot active"].Status);
        Assert.Equal("slot 'harness_standby' (physical) active=false, wal_status=lost: the primary removed WAL the standby still needs (max_slot_wal_keep_size); rebuild it with '- reclone:'", checks["slot active"].Observed);
        Assert.Equal(Verdict.Failed, checks["no ERROR/FATAL in standby log"].Status);
        Assert.Matches(@"FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment \w+ has already been removed", checks["no ERROR/FATAL in standby log"].Observed);
    }

    [Fact]
    public async Task A_standby_recloned_after_it_lost_its_slot_passes_verify_pair_its_old_log_set_aside()
    {
        // Before, the old server's "requested WAL segment ... removed" lines stayed in the log the rebuilt one appends
        // to, and verify_pair failed a healthy rebuilt standby (a false fail).
        var result = await RunLostSlotAsync("  - reclone:\n  - wait_for_catchup:\n  - verify_pair:\n");

        Assert.True(result.Status == Verdict.Passed, string.Join("; ", result.Steps.SelectMany(s => s.Checks).Where(c => c.Status != Verdict.Passed).Select(c => $"{c.Name}: {MeasureText.Format(c.Observed)}")));
        Assert.EndsWith("; its earlier log is standby.log.before-reclone-1", result.Steps[5].Detail);
    }

    [Fact]
    public async Task A_primary_killed_mid_load_fails_the_write_step_naming_the_primary()
    {
        var (result, pair) = await RunWhileAsync(p => p.PrimaryServer.Pid!.Value);
        await pair.DisposeAsync();

        Assert.NotEqual(Verdict.Passed, result.Status);
        var failed = result.Steps.First(s => s.Status is Verdict.Failed or Verdict.Error);
        Assert.Equal("load", failed.Keyword);
        Assert.Contains("primary", failed.Detail + string.Join(' ', failed.Checks.Select(c => MeasureText.Format(c.Observed))) + result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task A_port_taken_by_another_process_is_reported_with_the_fix()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        await pair.StandbyServer.StopAsync(TimeSpan.FromSeconds(10));
        using var squatter = new TcpListener(IPAddress.Loopback, pair.StandbyServer.Port);
        squatter.Start();

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => pair.StandbyServer.StartAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("another process took the port; run again (a new port is chosen)", error.Fix);
        Assert.Contains("Address already in use", error.Details);
        Assert.True(pair.StandbyServer.FailedOnBusyPort());
    }

    [Fact]
    public async Task Missing_binaries_exit_3_with_where_it_looked()
    {
        var (code, output) = await HarnessCli.RunAsync("run", Path.Combine(ReplicationHarness.Tests.Support.RepositoryRoot.Scenarios, "single-insert.yaml"),
            "--pg-bindir", _work.Path, "--work-dir", _work.Path, "--report-dir", Path.Combine(_work.Path, "report"));

        Assert.Equal(ExitCodes.InfrastructureError, code);
        Assert.Contains($"error: --pg-bindir names '{_work.Path}', which does not hold working PostgreSQL server binaries", output);
        Assert.Contains("fix: install the server binaries", output);
        Assert.Contains("missing initdb, pg_ctl, pg_basebackup, postgres", output);
    }

    [Fact]
    public async Task No_report_log_or_kept_artifact_holds_a_generated_password()
    {
        // log_statement = all would put ALTER ROLE ... PASSWORD in the log if the harness did not switch it off for those statements.
        var yaml = "version: 1\nname: secrets\npair:\n  primary:\n    settings:\n      log_statement: all\nsteps:\n  - insert:\n  - sql: { on: primary, query: select 1 }\n    expect: { result: \"2\" }\n";
        var scenario = ScenarioLoader.Load("secrets.yaml", System.Text.Encoding.UTF8.GetBytes(yaml)).Scenario!;
        var artifacts = Path.Combine(_work.Path, "kept");
        var reports = Path.Combine(_work.Path, "reports");
        var pair = (LocalPair)await new LocalProvisioner(_work.Options(keepFailures: true, artifacts: artifacts)).ProvisionAsync(scenario.Pair);
        var passfile = Path.Combine(pair.RunDirectoryPath, "replication.pgpass");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passfile));
        var secrets = new[] { pair.Primary.Password, File.ReadAllText(passfile).Trim().Split(':')[^1] };

        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair);
        var report = new RunReport(RunReport.CurrentSchemaVersion, "test", DateTimeOffset.UtcNow, 0, Verdict.Failed, [ReportBuilder.Scenario(result, pair, TimeSpan.Zero)]);
        await ReportWriters.WriteAllAsync(report, reports, []);
        pair.MarkFailed();
        await pair.DisposeAsync();

        Assert.Equal(Verdict.Failed, result.Status);
        var files = Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories).Concat(Directory.GetFiles(reports)).ToList();
        Assert.Contains(files, f => f.EndsWith("primary.log", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(file);
            foreach (var secret in secrets)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{file} holds a generated password");
        }
        // log_statement = all was in force: the log holds statements, just not the password ones.
        Assert.Contains("select 1", string.Join("", files.Where(f => f.EndsWith("primary.log", StringComparison.Ordinal)).Select(File.ReadAllText)));
    }
}
