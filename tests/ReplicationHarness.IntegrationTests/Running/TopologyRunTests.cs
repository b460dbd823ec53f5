using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Measures;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>
/// Steps, probes, the lag observer and assertions over every standby of a topology (a cascading one too), each
/// standby named in what it checks.
/// </summary>
public sealed class TopologyRunTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private async Task<ScenarioResult> RunAsync(string steps, string assertions = "", string observer = "")
    {
        var scenario = ScenarioLoader.Load("topology.yaml", System.Text.Encoding.UTF8.GetBytes($$"""
            version: 1
            name: three-standbys
            topology:
              standbys: { s1: , s2: , s3: { upstream: s1 } }
            {{observer}}
            steps:
            {{steps}}
            {{assertions}}
            """)).Scenario!;
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(scenario.Topology);
        return await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair);
    }

    private static string Checks(StepResult step) => string.Join("; ", step.Checks.Select(c => $"{c.Name} {c.Status}: {MeasureText.Format(c.Observed)}"));

    [Fact]
    public async Task Every_standby_catches_up_holds_the_rows_and_meets_the_criteria_each_named()
    {
        var result = await RunAsync("""
              - insert: { rows: 5 }
              - wait_for_catchup:
              - verify_pair:
            """, "assertions: { contents_equal: true }");

        Assert.True(result.Status == Verdict.Passed, string.Join("\n", result.Steps.Select(Checks)) + "\n" + string.Join("; ", result.Assertions.Select(a => MeasureText.Format(a.Observed))));
        Assert.Equal(["s1: replay lag", "s2: replay lag", "s3: replay lag"], result.Steps[1].Checks.Select(c => c.Name));
        Assert.Equal(30, result.Steps[2].Checks.Count);
        var contents = Assert.Single(result.Assertions, a => a.Name == "contents_equal");
        Assert.Matches(@"^\d+ rows in 1 table identical on s1, s2, s3$", MeasureText.Format(contents.Observed));
    }

    [Fact]
    public async Task A_cascading_standby_whose_replay_is_paused_fails_catch_up_naming_it_alone()
    {
        var result = await RunAsync("""
              - pause_replay: { on: s3 }
              - insert: { rows: 5 }
              - wait_for_catchup:
                timeout: 2s
            """);

        Assert.Equal(Verdict.Failed, result.Status);
        var catchUp = result.Steps[2];
        Assert.Equal(Verdict.Failed, catchUp.Status);
        Assert.Equal([("s1: replay lag", Verdict.Passed), ("s2: replay lag", Verdict.Passed), ("s3: replay lag", Verdict.Failed)], catchUp.Checks.Select(c => (c.Name, c.Status)));
        Assert.StartsWith("did not catch up: s3 ", catchUp.Detail);
    }

    [Fact]
    public async Task A_write_is_probed_on_every_standby_and_lag_is_observed_on_each_a_cascaded_one_end_to_end()
    {
        var result = await RunAsync("""
              - insert: { rows: 1 }
                expect: { visible_within: 2s }
              - pause_replay: { on: s3 }
              - insert: { rows: 1 }
              - wait: 1500ms
              - resume_replay: { on: s3 }
              - wait_for_catchup:
            """, "assertions: { alerts_fired: [time] }", "observer: { interval: 10ms, alerts: { max_lag_time: 500ms, stall: false } }");

        Assert.True(result.Status == Verdict.Passed, string.Join("\n", result.Steps.Select(s => $"{s.Name}: {s.Detail} {Checks(s)}")));
        // The probed write was seen on each standby, and each measurement says where.
        Assert.Equal(["s1", "s2", "s3"], result.Visibility.Where(v => v.WriteId == 1).Select(v => v.Standby).Order());
        Assert.Contains("visible on s3 after", result.Steps[0].Detail);
        Assert.Matches(@"^max \S+ on s\d over 1 write on 3 standbys$", MeasureText.Format(result.Steps[0].Checks.Single(c => c.Name == "visible_within").Observed));
        // One series per standby; the cascaded standby's state is what its upstream (s1) says of it.
        Assert.Equal(["s1", "s2", "s3"], result.LagSeries.Select(s => s.Standby).Distinct().Order());
        Assert.Contains(result.LagSeries, s => s is { Standby: "s3", ReplicationState: "streaming" });
        // Only the paused standby lagged: its time alert fired, and the others' did not. (Its stall alert is off: WAL that
        // arrives while replay is paused is a stall by definition, and hint-bit page images under wal_log_hints may arrive.)
        Assert.NotEmpty(result.Alerts);
        Assert.All(result.Alerts, a => Assert.Equal(("s3", AlertKind.Time), (a.Standby, a.Kind)));
        Assert.True(result.LagSeries.Where(s => s.Standby == "s3").Max(s => s.LagTime) >= TimeSpan.FromMilliseconds(500));
        Assert.StartsWith("s3: fired at", MeasureText.Format(result.Assertions.Single(a => a.Name == "alert fired: time").Observed));
    }

    [Fact]
    public async Task A_write_not_replayed_on_one_standby_fails_its_step_naming_that_standby_and_keeps_the_others_measurements()
    {
        var result = await RunAsync("""
              - pause_replay: { on: s2 }
              - insert: { rows: 2000 }
              - wait_for_catchup: { on: s1 }
              - insert: { rows: 200 }
                expect: { visible_within: 1s }
            """, "assertions: { max_lag_bytes: 1kB }");

        Assert.Equal(Verdict.Failed, result.Status);
        var insert = result.Steps[3];
        Assert.Equal(Verdict.Failed, insert.Status);
        var visible = insert.Checks.Single(c => c.Name == "visible_within");
        Assert.Equal(Verdict.Failed, visible.Status);
        Assert.StartsWith("1 of 3 probes not visible within 1s (write 2 on s2: 0 of 200 rows after", MeasureText.Format(visible.Observed));
        // Nothing drops out: s1 and s3 saw the write and are measured; s2's probe is the one unseen.
        Assert.Equal(["s1", "s3"], result.Visibility.Select(v => v.Standby).Order());
        Assert.Equal("s2", Assert.Single(result.Unseen).Standby);
        // Both inserts' WAL stays unreplayed on s2; s1 and s3 can lag for a moment by the second one at most, since s1
        // caught up with the first before it (sampled the instant a commit arrives, a standby lags by all of that commit).
        var bytes = result.Assertions.Single(a => a.Name == "max_lag_bytes");
        Assert.Equal(Verdict.Failed, bytes.Status);
        Assert.Matches(@"^max \S+ on s2 at ", MeasureText.Format(bytes.Observed));
    }

    [Fact]
    public async Task Promote_without_a_name_picks_the_most_advanced_standby_that_answers_and_says_why()
    {
        var result = await RunAsync("""
              - insert: { rows: 5 }
              - wait_for_catchup:
              - stop_node: { node: s2 }
              - promote:
            """);

        var promote = result.Steps[3];
        Assert.True(promote.Status == Verdict.Passed, $"{promote.Detail} {Checks(promote)}");
        // s1 and s3 (cascaded from s1) received the same WAL: s1 comes first in the topology; s2 is down, no candidate.
        Assert.Matches(@"^s1, the most advanced \(s1 received [0-9A-F/]+, replayed [0-9A-F/]+, s2 could not be read \(.+\), s3 received [0-9A-F/]+, replayed [0-9A-F/]+\): promoted with pg_promote\(\) in ", promote.Detail);
        Assert.True(promote.Detail.EndsWith("all 1 acknowledged writes (5 rows) present on the new primary", StringComparison.Ordinal), promote.Detail);
    }

    [Fact]
    public async Task Promote_on_a_named_standby_promotes_that_one_and_with_the_primary_still_running_it_is_a_split_brain()
    {
        var result = await RunAsync("""
              - insert: { rows: 3 }
              - wait_for_catchup:
              - promote: { on: s2 }
              - sql:
                  on: s2
                  query: select pg_is_in_recovery()::text
                expect:
                  result: "false"
              - sql:
                  on: s1
                  query: select pg_is_in_recovery()::text
                expect:
                  result: "true"
              - wait: 200ms
            """, observer: "observer: { interval: 10ms }");

        // Every step did what it said; the pair ended with two primaries, which fails the scenario, named.
        Assert.All(result.Steps, s => Assert.True(s.Status == Verdict.Passed, $"{s.Name}: {s.Detail} {Checks(s)}"));
        Assert.StartsWith("promoted with pg_promote() in ", result.Steps[2].Detail);
        Assert.Equal(Verdict.Failed, result.Status);
        var split = Assert.Single(result.Assertions, a => a.Name == "single writable node");
        Assert.Equal(Verdict.Failed, split.Status);
        Assert.Matches(@"^split brain: primary and s2 accepted writes at once from [\d.]+s to the end$", MeasureText.Format(split.Observed));
    }

    [Fact]
    public async Task Sync_state_reads_a_cascaded_standby_from_its_upstream_keeps_watching_until_its_limit_and_fails_naming_what_it_saw()
    {
        var result = await RunAsync("""
              - stop_node: { node: s2 }
              - start_node: { node: s2 }
              - sync_state: { s2: async, s3: async, s1: async }
                timeout: 10s
              - sync_state: { s1: sync }
                timeout: 1s
            """);

        Assert.True(result.Steps[2].Status == Verdict.Passed, $"{result.Steps[2].Detail} {Checks(result.Steps[2])}");
        Assert.Matches(@"^s2 async, s3 async, s1 async after \S+$", result.Steps[2].Detail);
        var wrong = result.Steps[3];
        Assert.Equal(Verdict.Failed, wrong.Status);
        var check = Assert.Single(wrong.Checks);
        Assert.Equal(("s1: sync_state", "= sync", "async"), (check.Name, MeasureText.Format(check.Threshold), MeasureText.Format(check.Observed)));
        // A state not reached is watched for until the step's watch limit (2s of a 3s step: a second is left for its
        // answer), not read once.
        var stopped = (await RunAsync("""
              - stop_node: { node: s2 }
              - sync_state: { s2: async }
                timeout: 3s
            """)).Steps[1];
        Assert.Equal(Verdict.Failed, stopped.Status);
        Assert.Equal("not connected to the primary", MeasureText.Format(Assert.Single(stopped.Checks).Observed));
        // Measured as it ended, a moment either side of the 2 s limit: 1.999s, 2s, 2.003s.
        Assert.Matches(@"^after (1\.9\d*|2(\.\d+)?)s: s2 not connected to the primary, expected async$", stopped.Detail);
        Assert.True(stopped.Elapsed >= TimeSpan.FromMilliseconds(1900), $"the watch ended after {stopped.Elapsed}");
    }

    [Fact]
    public async Task Visible_on_probes_only_the_standbys_named_and_a_named_standby_that_was_stopped_fails_saying_so()
    {
        var named = await RunAsync("""
              - pause_replay: { on: s2 }
              - insert: { rows: 1 }
                expect: { visible_within: 1s, visible_on: [s3, s1] }
            """);

        Assert.True(named.Status == Verdict.Passed, $"{named.Steps[1].Detail} {Checks(named.Steps[1])}");
        Assert.Equal(["s1", "s3"], named.Visibility.Select(v => v.Standby).Order());

        var stopped = await RunAsync("""
              - stop_node: { node: s2 }
              - insert: { rows: 1 }
                expect: { visible_within: 1s, visible_on: [s2] }
            """);

        var check = Assert.Single(stopped.Steps[1].Checks, c => c.Name == "visible_within");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("write 1 not visible: s2 was stopped by steps[0]", MeasureText.Format(check.Observed));
    }

    [Fact]
    public async Task An_old_primary_the_harness_thaws_at_the_end_is_not_called_the_scenarios_split_brain()
    {
        var result = await RunAsync("""
              - freeze_node: { node: primary }
              - promote: { on: s1 }
            """, observer: "observer: { interval: 10ms }");

        Assert.True(result.Steps[1].Status == Verdict.Passed, $"{result.Steps[1].Detail} {Checks(result.Steps[1])}");
        // The harness thawed the frozen old primary at the end; whether or not the last reading caught it answering as a
        // primary (LagObserverActorSpec covers that case), the scenario is not charged with a split brain it did not make.
        Assert.Contains(result.Faults, f => f.Action == "restore" && f.Detail.Contains("thawed the primary", StringComparison.Ordinal));
        var split = Assert.Single(result.Assertions, a => a.Name == "single writable node");
        Assert.True(split.Status == Verdict.Passed, MeasureText.Format(split.Observed));
    }
}
