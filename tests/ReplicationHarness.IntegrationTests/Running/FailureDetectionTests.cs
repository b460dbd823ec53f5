using System.Text.RegularExpressions;
using ReplicationHarness.Cli;
using ReplicationHarness.History;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>No false passes: each shipped scenario fails, naming the failed assertion, when replication is broken.</summary>
public sealed class FailureDetectionTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>
    /// Which pairs the broken scenarios run on: <c>snapshot</c> (default: pairs from the run's snapshot store, the first
    /// of each shape built with base backups), <c>fresh</c> (every pair with base backups, <c>--no-snapshot</c>) or
    /// <c>reuse</c> (the unbroken scenario first, then the broken one on its pair under <c>run --reuse</c>), from
    /// HARNESS_TEST_PAIRS: a verdict must not depend on it.
    /// </summary>
    private static readonly string Pairs = Environment.GetEnvironmentVariable("HARNESS_TEST_PAIRS") is { Length: > 0 } mode ? mode : "snapshot";

    // The shipped file the last Broken() changed.
    private string? _shipped;

    /// <summary>A shipped scenario with some of its text changed; every change must apply.</summary>
    private string Broken(string shipped, params (string From, string To)[] changes)
    {
        _shipped = shipped;
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Scenarios, shipped));
        foreach (var (from, to) in changes)
        {
            Assert.Contains(from, text);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        var path = Path.Combine(_work.Path, shipped);
        File.WriteAllText(path, text);
        return path;
    }

    // The report.json of the last run, beside which its other files are.
    private string? _lastReport;

    private async Task<(int Code, string Output, ScenarioReport Scenario)> RunAsync(string file)
    {
        string[] files = [file];
        string[] mode = [];
        if (Pairs == "fresh")
            mode = ["--no-snapshot"];
        else if (Pairs == "reuse")
        {
            var warmup = Path.Combine(_work.Path, $"warmup-{_shipped}");
            var shipped = File.ReadAllText(Path.Combine(RepositoryRoot.Scenarios, _shipped!));
            File.WriteAllText(warmup, Regex.Replace(shipped, "^name: (.+)$", "name: $1-warmup", RegexOptions.Multiline));
            (files, mode) = ([warmup, file], ["--reuse"]);
        }
        var (code, output, report, reports) = await HarnessCli.RunWithReportAsync(_work.Path, [.. files, .. mode]);
        _lastReport = Path.Combine(reports, JsonReportWriter.FileName);
        if (Pairs != "reuse")
            return (code, output, Assert.Single(report.Scenarios));
        Assert.Equal(2, report.Scenarios.Count);
        Assert.True(report.Scenarios[0].Status == Verdict.Passed, output);
        // Where the broken scenario has the shipped one's shape, it ran on that scenario's pair after its reset.
        if (report.Scenarios[0].Pair!.Reuse!.After == "kept")
            Assert.Equal(2, report.Scenarios[1].Pair!.Reuse!.Use);
        return (code, output, report.Scenarios[1]);
    }

    [Fact]
    [Breaks("single-insert.yaml")]
    public async Task Single_insert_fails_when_replay_is_paused()
    {
        var file = Broken("single-insert.yaml", ("  - insert:\n", "  - pause_replay:\n  - insert:\n"), ("timeout: 5s", "timeout: 2s"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Equal(Verdict.Failed, scenario.Status);
        Assert.True(Regex.IsMatch(output, @"failed: steps\[2\] insert: visible_within <= 1s, observed 0 of 1 rows of write 1 visible after 1(\.\d+)?s"), output);
        Assert.Equal([Verdict.Passed, Verdict.Passed, Verdict.Failed, Verdict.Skipped], scenario.Steps.Select(s => s.Status));
        // The write is in the report as not visible, probed until its deadline and no longer.
        var unseen = Assert.Single(scenario.WritesNotVisible!);
        Assert.Equal((1L, 2, 0L, 1000.0), (unseen.WriteId, unseen.Step, unseen.RowsSeen, unseen.DeadlineMs));
        Assert.InRange(unseen.WaitedMs, 1000, 2000);
        // The last look says why: the standby had the WAL but had not replayed the write's commit.
        var look = Regex.Match(unseen.LastLook!, @"^[\d,]+ probes at most \S+ apart; right after the last look the standby had received WAL up to (?<received>\S+) and replayed up to (?<replayed>\S+); the write's commit record starts at or after (?<commit>\S+)$");
        Assert.True(look.Success, unseen.LastLook);
        Assert.True(Lsn.Parse(look.Groups["replayed"].Value) <= Lsn.Parse(look.Groups["commit"].Value), unseen.LastLook);
        Assert.True(Lsn.Parse(look.Groups["received"].Value) > Lsn.Parse(look.Groups["commit"].Value), unseen.LastLook);
    }

    [Fact]
    [Breaks("bulk-insert-update.yaml")]
    public async Task Bulk_insert_update_fails_when_the_apply_delay_exceeds_its_threshold()
    {
        var file = Broken("bulk-insert-update.yaml", ("pair:\n  slot: harness_standby\n", "pair:\n  slot: harness_standby\n  standby:\n    settings:\n      recovery_min_apply_delay: 1500ms\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var insert = scenario.Steps[1];
        Assert.Equal(Verdict.Failed, insert.Status);
        var check = Assert.Single(insert.Checks, c => c.Name == "visible_within");
        Assert.Equal(Verdict.Failed, check.Status);
        // The probe gives up at the threshold: the write is reported not visible then, not waited for until it shows. The
        // standby's positions follow when reading them fits in the probe's grace (on loaded cores it may not: a build
        // beside a fresh-clone run once left the cadence alone; Single_insert_fails_when_replay_is_paused pins them).
        Assert.Matches(@"^0 of 1 rows of write 1 visible after 1(\.\d+)?s \([\d,]+ probes at most \S+ apart(; right after the last look the standby had received WAL up to \S+ and replayed up to \S+; the write's commit record starts at or after \S+)?\)$", MeasureText.Format(check.Observed));
        Assert.Contains("failed: steps[1] insert: visible_within <= 1s, observed 0 of 1 rows of write 1 visible after 1", output);
    }

    [Fact]
    [Breaks("simulated-delay.yaml")]
    public async Task Simulated_delay_fails_when_no_delay_is_injected()
    {
        var file = Broken("simulated-delay.yaml", ("  - set_apply_delay: 2s\n", "  - set_apply_delay: 0s\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var check = Assert.Single(scenario.Steps[2].Checks, c => c.Name == "visible_not_before");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Contains("failed: steps[2] insert: visible_not_before >= 2s, observed min", output);
        Assert.Contains("from sending the commit", MeasureText.Format(check.Observed));
    }

    [Fact]
    [Breaks("replay-stall.yaml")]
    public async Task Replay_stall_fails_when_replay_never_stops()
    {
        var file = Broken("replay-stall.yaml", ("  - pause_replay:\n", ""), ("  - resume_replay:\n", ""));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Contains("failed: assertions: alert fired: stall fires at least once, observed never fired", output);
        Assert.Equal(Verdict.Failed, scenario.Assertions.Single(a => a.Name == "alert fired: stall").Status);
    }

    [Fact]
    [Breaks("sync-replication.yaml")]
    public async Task Sync_replication_fails_when_the_pair_is_asynchronous()
    {
        var file = Broken("sync-replication.yaml", ("  replication: sync\n", "  replication: async\n"), ("      synchronous_commit: remote_apply\n", "      synchronous_commit: 'on'\n"));

        var (code, output, _) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Contains("failed: steps[1] the standby is synchronous: result = sync, observed async", output);
    }

    [Fact]
    [Breaks("sustained-load.yaml")]
    public async Task Sustained_load_fails_when_the_standby_applies_late()
    {
        // Two seconds of the load show it as well as five.
        var file = Broken("sustained-load.yaml", ("steps:\n", "pair:\n  standby:\n    settings:\n      recovery_min_apply_delay: 1500ms\nsteps:\n"), ("      duration: 5s\n", "      duration: 2s\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Contains("failed: steps[1] load: visible_within <= 1s", output);
        Assert.Equal(Verdict.Failed, scenario.Steps[1].Status);
    }

    [Fact]
    [Breaks("slot-invalidation.yaml")]
    public async Task Slot_invalidation_fails_when_nothing_limits_the_wal_a_slot_holds()
    {
        // Without max_slot_wal_keep_size the slot keeps every segment the standby missed: the primary's disk pays.
        var file = Broken("slot-invalidation.yaml", ("      max_slot_wal_keep_size: 32MB   # the most WAL the slot may hold back\n", ""));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Equal(Verdict.Failed, scenario.Steps[5].Status);
        Assert.Matches(@"failed: steps\[5\] the slot is lost: result = lost, observed (reserved|extended)", output);
    }

    [Fact]
    [Breaks("standby-restart.yaml")]
    public async Task Standby_restart_fails_when_the_standby_never_comes_back()
    {
        var file = Broken("standby-restart.yaml", ("  - start_node: { node: standby }\n", ""), ("    timeout: 30s\n", "    timeout: 3s\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Contains("failed: steps[7] catch up after the restart: replay lag = 0B, observed", output);
        Assert.Equal(Verdict.Skipped, scenario.Steps[8].Status);
    }

    [Fact]
    [Breaks("failover-async.yaml")]
    public async Task Failover_fails_and_measures_the_gap_when_the_standby_missed_acknowledged_writes()
    {
        // The standby is down while the load writes, so its promotion must lose what the primary acknowledged meanwhile.
        var file = Broken("failover-async.yaml",
            ("  - name: writes in the background\n", "  - stop_node: { node: standby }\n  - name: writes in the background\n"),
            ("  - name: promote the standby", "  - start_node: { node: standby }\n  - name: promote the standby"),
            ("    promote: { method: trigger_file }\n", "    promote: { method: pg_promote }\n"),
            ("      promoted_within: 10s", "      max_lost_writes: 0\n      promoted_within: 10s"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.True(Regex.IsMatch(output, @"failed: steps\[6\] promote the standby through the trigger file: max_lost_writes <= 0, observed [1-9]\d* lost of [1-9]\d* acknowledged \(\d+ rows\)"), output);
        var promote = scenario.Steps[6];
        Assert.Equal(Verdict.Failed, promote.Status);
        Assert.Matches(@"write gap: [\d,]+ of [\d,]+ acknowledged writes \([\d,]+ rows\) missing on the new primary, acknowledged from [\d.]+m?s on", promote.Detail);
        Assert.Equal(Verdict.Passed, promote.Checks.Single(c => c.Name == "promoted_within").Status);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    [Breaks("failover-sync.yaml")]
    public async Task Failover_sync_fails_naming_max_lost_writes_when_replication_is_not_synchronous()
    {
        // Asynchronous replication alone loses writes only by chance; with the standby down while the load writes,
        // it certainly misses what the primary acknowledged meanwhile, and the promotion must count those.
        var file = Broken("failover-sync.yaml",
            ("  replication: sync\n", "  replication: async\n"),
            ("      synchronous_commit: remote_apply\n", "      synchronous_commit: 'on'\n"),
            ("  - name: writes in the background\n", "  - stop_node: { node: standby }\n  - name: writes in the background\n"),
            ("  - name: promote the standby\n", "  - start_node: { node: standby }\n  - name: promote the standby\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var failure = Regex.Match(output, @"failed: steps\[6\] promote the standby: max_lost_writes <= 0, observed (?<lost>\d+) lost of (?<acked>\d+) acknowledged \(\d+ rows\)");
        Assert.True(failure.Success, output);
        var lost = int.Parse(failure.Groups["lost"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lost, 1, int.Parse(failure.Groups["acked"].Value, System.Globalization.CultureInfo.InvariantCulture));
        var promote = scenario.Steps[6];
        Assert.Equal(Verdict.Failed, promote.Status);
        var check = promote.Checks.Single(c => c.Name == "max_lost_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.StartsWith($"{lost} lost of ", MeasureText.Format(check.Observed));
        Assert.Matches($@"write gap: {lost:N0} of [\d,]+ acknowledged writes \([\d,]+ rows\) missing on the new primary", promote.Detail);
        // promoted_within is not pinned: the standby was just restarted and may still be replaying its backlog.
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    [Breaks("network-faults.yaml")]
    public async Task Network_faults_fail_when_a_write_is_visible_sooner_than_the_link_allows()
    {
        // 40 ms ± 10 ms each way cannot deliver a write in under 30 ms, but also not after 200 ms: the check can fail.
        var file = Broken("network-faults.yaml", ("visible_not_before: 30ms", "visible_not_before: 200ms"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.True(Regex.IsMatch(output, @"failed: steps\[2\] a write waits for the link: visible_not_before >= 200ms, observed min \d+(\.\d)?ms from sending the commit"), output);
        var fault = Assert.Single(scenario.Faults!, f => f.Action == "set_network");
        Assert.Equal("latency 40ms ± 10ms each way between the standby and the primary", fault.Detail[..fault.Detail.IndexOf(" (proxy", StringComparison.Ordinal)]);
        // The link is restored by the harness even though the scenario stopped with latency in force.
        Assert.StartsWith("removed latency 40ms ± 10ms each way", scenario.Faults!.Last().Detail);
        Assert.Null(scenario.Faults!.Last().Step);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    [Breaks("network-faults.yaml")]
    public async Task Network_faults_fail_when_no_alert_fires_during_the_partition()
    {
        var file = Broken("network-faults.yaml", ("max_lag_bytes: 64kB", "max_lag_bytes: 1GB"), ("max_lag_time: 500ms", "max_lag_time: 10min"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Contains("failed: steps[10] heal the link: alerts_fired: bytes fired while the link was cut, observed none raised", output);
        Assert.Equal(Verdict.Failed, scenario.Steps[10].Status);
    }

    [Fact]
    public async Task A_rejecting_partition_resets_the_stream_and_the_standby_reconnects_after_healing()
    {
        var file = Broken("network-faults.yaml", ("partition: { mode: drop }", "partition: { mode: reject }"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.True(code == ExitCodes.Success, output);
        Assert.StartsWith("link cut (reject: 1 connection reset, new ones refused)", scenario.Steps[8].Detail);
        Assert.Matches(@"^link healed after 2(\.\d+)?s cut \(reject\); 0B crossed to the standby meanwhile, [1-9]\d* connections? reset or refused", scenario.Steps[10].Detail);
        Assert.StartsWith("caught up in", scenario.Steps[11].Detail);
        Assert.Contains(scenario.Assertions, a => a is { Name: "contents_equal", Status: Verdict.Passed });
    }

    [Fact]
    public async Task A_network_step_on_a_pair_without_the_link_proxy_is_an_error_not_a_crash()
    {
        var scenario = ScenarioLoader.Load("no-proxy.yaml", System.Text.Encoding.UTF8.GetBytes("version: 1\nname: no-proxy\nsteps:\n  - set_network: { latency: 5ms }\n  - wait: 10ms\n")).Scenario!;
        // Made without the proxy, as a pair from elsewhere would be.
        await using var pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(scenario.Pair with { LinkProxy = false });

        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair);

        Assert.Equal([Verdict.Error, Verdict.Skipped], result.Steps.Select(s => s.Status));
        Assert.Equal("this pair's standby does not stream through the harness's link proxy, so no network fault can be injected; run the scenario on a local pair", result.Steps[0].Detail);
    }

    [Fact]
    [Breaks("single-insert.yaml")]
    public async Task Single_insert_fails_naming_the_criteria_when_the_standby_is_stopped()
    {
        var scenario = (await ScenarioLoader.LoadFileAsync(Path.Combine(RepositoryRoot.Scenarios, "single-insert.yaml"))).Scenario!;
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(scenario.Pair);
        await pair.StandbyServer.StopAsync(TimeSpan.FromSeconds(10));

        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair);

        Assert.Equal(Verdict.Failed, result.Status);
        Assert.Equal([Verdict.Failed, Verdict.Skipped, Verdict.Skipped], result.Steps.Select(s => s.Status));
        var failures = result.Failures.ToDictionary(f => f.Check.Name, f => MeasureText.Format(f.Check.Observed));
        Assert.Equal("the standby's postmaster is not running", failures["standby running"]);
        Assert.Contains("slot active", failures.Keys);
        Assert.Equal("steps[0] verify_pair", result.Failures.First().Where);
    }

    [Fact]
    [Breaks("cascade.yaml")]
    public async Task Cascade_fails_naming_the_cascaded_standby_when_its_replay_is_paused()
    {
        var file = Broken("cascade.yaml", ("  - insert:\n", "  - pause_replay: { on: s2 }\n  - insert:\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var insert = scenario.Steps[2];
        Assert.Equal(Verdict.Failed, insert.Status);
        var check = Assert.Single(insert.Checks, c => c.Name == "visible_within");
        Assert.StartsWith("1 of 2 probes not visible within 1s (write 1 on s2: 0 of 1 rows after", MeasureText.Format(check.Observed));
        // s1 saw it: its measurement stays in the report beside s2's unseen write.
        Assert.Equal("s1", Assert.Single(scenario.Writes).Standby);
        Assert.Equal("s2", Assert.Single(scenario.WritesNotVisible!).Standby);
        Assert.Contains("failed: steps[2] insert: visible_within <= 1s, observed 1 of 2 probes not visible", output);
    }

    [Theory]
    [Breaks("quorum-sync.yaml")]
    [Breaks("first-sync.yaml")]
    [InlineData("quorum-sync.yaml", "any", "first", "sync", "potential")]
    [InlineData("first-sync.yaml", "first", "any", "quorum", "quorum")]
    public async Task A_sync_scenario_fails_naming_each_standby_when_the_primary_waits_by_the_other_rule(string shipped, string method, string broken, string s1Shows, string s2Shows)
    {
        var file = Broken(shipped, ($"sync: {{ method: {method}, count: 1, standbys: [s1, s2] }}", $"sync: {{ method: {broken}, count: 1, standbys: [s1, s2] }}"));

        var (code, _, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var first = scenario.Steps[1];
        Assert.Equal(Verdict.Failed, first.Status);
        Assert.Equal([("s1: sync_state", s1Shows, Verdict.Failed), ("s2: sync_state", s2Shows, Verdict.Failed)],
            first.Checks.Select(c => (c.Name, MeasureText.Format(c.Observed), c.Status)));
        Assert.Matches($@"^after \S+: s1 {s1Shows}, expected \w+; s2 {s2Shows}, expected \w+$", first.Detail);
    }

    [Fact]
    [Breaks("failover-rejoin.yaml")]
    public async Task Failover_rejoin_fails_naming_the_standby_that_is_ahead_of_the_promoted_one()
    {
        // s2 misses the writes, then is promoted: s1 replayed past where s2's new timeline forks off, and following
        // s2 would attach a standby holding WAL the new primary never had.
        var file = Broken("failover-rejoin.yaml",
            ("  - name: writes before the crash\n", "  - stop_node: { node: s2 }\n  - name: writes before the crash\n"),
            ("  - name: promote the most advanced standby\n    promote:\n", "  - start_node: { node: s2 }\n  - name: promote the most advanced standby\n    promote: { on: s2 }\n"),
            ("      max_lost_writes: 0   # every write was visible on both standbys before the crash\n", ""));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Equal(Verdict.Passed, scenario.Steps[5].Status);
        var follow = scenario.Steps[6];
        Assert.Equal(("follow", Verdict.Failed), (follow.Action, follow.Status));
        var check = Assert.Single(follow.Checks);
        Assert.Equal(("s1: follows s2", Verdict.Failed), (check.Name, check.Status));
        Assert.Matches(@"^WAL up to <= \d+/[0-9A-F]+ \(fork point\)$", MeasureText.Format(check.Threshold));
        Assert.Matches(@"^diverged: WAL up to \d+/[0-9A-F]+$", MeasureText.Format(check.Observed));
        Assert.Matches(@"^s1 diverged: it has WAL up to \S+, past \S+ where s2's timeline 2 forked off; it was not attached and is detached now \(rewind it into a standby of s2 with 'rejoin: \{ node: s1 \}'\)$", follow.Detail);
        Assert.Contains("failed: steps[6] the other standby follows the new primary: s1: follows s2", output);
        Assert.All(scenario.Steps.Skip(7), s => Assert.Equal(Verdict.Skipped, s.Status));
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    [Breaks("switchover.yaml")]
    public async Task Switchover_fails_naming_max_lost_writes_when_the_promoted_standby_missed_acknowledged_writes()
    {
        // s1 stops receiving (its walreceiver pointed at a closed port) while the load writes, then is switched to:
        // the clean stop cannot send it what it misses, so writes the old primary acknowledged are not on the new one.
        var file = Broken("switchover.yaml",
            ("  - name: writes in the background\n",
                "  - sql: { on: s1, query: \"alter system set primary_conninfo = 'host=127.0.0.1 port=1'\" }\n"
                + "  - sql: { on: s1, query: select pg_reload_conf() }\n  - name: writes in the background\n"),
            ("    switchover:\n", "    switchover: { to: s1 }\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var switchover = scenario.Steps[5];
        Assert.Equal(("switchover", Verdict.Failed), (switchover.Action, switchover.Status));
        var lost = switchover.Checks.Single(c => c.Name == "max_lost_writes");
        Assert.Equal(("<= 0", Verdict.Failed), (MeasureText.Format(lost.Threshold), lost.Status));
        Assert.Matches(@"^[1-9][\d,]* lost of [1-9][\d,]* acknowledged", MeasureText.Format(lost.Observed));
        Assert.Matches(@"write gap: [\d,]+ of [\d,]+ acknowledged writes \([\d,]+ rows\) missing on the new primary", switchover.Detail);
        // The roles moved, yet nothing of the rest of the switchover ran on a new primary that lost writes.
        Assert.DoesNotContain("rejoined", switchover.Detail);
        Assert.Contains("failed: steps[5] switch the primary's role to a standby: max_lost_writes <= 0, observed", output);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    [Breaks("frozen-standby.yaml")]
    public async Task Frozen_standby_fails_naming_the_standby_when_it_is_never_thawed()
    {
        var file = Broken("frozen-standby.yaml", ("  - name: s2 runs again\n    thaw_node: { node: s2 }\n", ""), ("  - wait_for_catchup:\n    timeout: 10s\n", "  - wait_for_catchup:\n    timeout: 3s\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var catchUp = scenario.Steps[4];
        Assert.Equal(("wait_for_catchup", Verdict.Failed), (catchUp.Action, catchUp.Status));
        Assert.Equal([("s1: replay lag", Verdict.Passed), ("s2: replay lag", Verdict.Failed)], catchUp.Checks.Select(c => (c.Name, c.Status)));
        Assert.EndsWith("(s2 was frozen by steps[1])", MeasureText.Format(catchUp.Checks[1].Observed));
        Assert.Contains("failed: steps[4] wait_for_catchup: s2: replay lag = 0B, observed", output);
        // The end of the run thawed it before judging, and teardown stopped everything.
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    [Breaks("quorum-sync.yaml")]
    public async Task Quorum_sync_fails_naming_blocked_for_when_commits_do_not_wait_for_a_standby()
    {
        // synchronous_commit = local: the standbys are still listed as quorum, yet no commit waits for them.
        var file = Broken("quorum-sync.yaml",
            ("      synchronous_commit: remote_apply\n", "      synchronous_commit: local\n"),
            ("      visible_within: 50ms   # remote_apply: applied on s2 before the commit returns\n", "      visible_within: 1s\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.All(scenario.Steps.Take(7), s => Assert.Equal(Verdict.Passed, s.Status));
        var blocked = scenario.Steps[7];
        Assert.Equal(Verdict.Failed, blocked.Status);
        var check = Assert.Single(blocked.Checks);
        Assert.Equal(("blocked_for", ">= 1s unacknowledged", Verdict.Failed), (check.Name, MeasureText.Format(check.Threshold), check.Status));
        Assert.StartsWith("acknowledged after ", MeasureText.Format(check.Observed));
        Assert.Contains("failed: steps[7] with no standby to confirm it, a commit waits: blocked_for >= 1s unacknowledged, observed acknowledged after", output);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }
    [Fact]
    [Breaks("read-your-writes.yaml")]
    public async Task Read_your_writes_fails_naming_the_check_when_reads_do_not_wait_for_their_token()
    {
        // Without the token, a client reads the standby 200 ms behind right after its own append.
        var file = Broken("read-your-writes.yaml", ("clients: 8, tokens: true }", "clients: 8, tokens: false }"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.All(scenario.Steps.Take(4), s => Assert.Equal(Verdict.Passed, s.Status));
        var reads = scenario.Steps[4];
        Assert.Equal(("reads", Verdict.Failed), (reads.Action, reads.Status));
        var check = Assert.Single(reads.Checks, c => c.Name == "read_your_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Matches(@"^[1-9]\d* of [1-9]\d* reads judged broke it; the first 3: entry \d+ \(process \d+ reading key \d+ on standby\) missed \d+: process \d+ appended them", MeasureText.Format(check.Observed));
        Assert.Contains("failed: steps[4] with tokens, a standby 200 ms behind: read_your_writes <= 0 of the reads judged, observed ", output);
        // The whole history is in the report directory, as JSON lines and as Elle's EDN, one operation per invocation.
        var history = HistoryJsonl.Read(new StringReader(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(_lastReport!)!, "read-your-writes.history.jsonl"))));
        Assert.Equal(scenario.Reads!.Operations, history.Count(h => h.Type == OperationType.Invoke));
        Assert.Equal(scenario.Reads.Reads, history.Count(h => h is { Function: OperationFunction.Read, Type: OperationType.Ok }));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(_lastReport!)!, "read-your-writes.history.edn")));
    }

    [Fact]
    [Breaks("monotonic-reads.yaml")]
    public async Task Monotonic_reads_fails_naming_the_check_when_a_client_is_not_kept_on_one_standby()
    {
        var file = Broken("monotonic-reads.yaml", ("route: sticky }", "route: round_robin }"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var sticky = scenario.Steps[3];
        Assert.Equal(("reads", Verdict.Failed), (sticky.Action, sticky.Status));
        var check = Assert.Single(sticky.Checks, c => c.Name == "monotonic_reads");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Matches(@"reading key \d+ on s2\) missed [\d, ]+: an earlier read by process \d+ \(entry \d+, on s1\) saw them", MeasureText.Format(check.Observed));
        Assert.Contains("failed: steps[3] sticky routing: monotonic_reads <= 0 of the reads judged, observed ", output);
    }

    [Fact]
    [Breaks("stale-reads-during-failover.yaml")]
    public async Task Stale_reads_during_failover_fails_naming_lost_appends_when_the_promoted_standby_never_received_them()
    {
        // Asynchronous, and the standby cut off before the crash: the primary acknowledges appends the standby never gets.
        var file = Broken("stale-reads-during-failover.yaml",
            ("  replication: sync\n  primary:\n    settings:\n      synchronous_commit: remote_apply\n", "  replication: async\n"),
            ("  - wait: 500ms\n", "  - partition:\n  - wait: 500ms\n"));

        var (code, output, scenario) = await RunAsync(file);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        var reads = scenario.Steps.Single(s => s.Action == "wait_for_reads");
        Assert.Equal(Verdict.Failed, reads.Status);
        var lost = Assert.Single(reads.Checks, c => c.Name == "max_lost_writes");
        Assert.Equal(Verdict.Failed, lost.Status);
        Assert.Matches(@"^[1-9]\d* of \d+ acknowledged appends missing on the primary \(values \d+", MeasureText.Format(lost.Observed));
        Assert.Contains(": max_lost_writes <= 0 acknowledged appends missing, observed ", output);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }
}
