using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Tests.Support;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Scenarios;

public class ScenarioLoaderTests
{
    private static readonly string Actions = string.Join(", ", ReplicationHarness.Scenarios.Catalog.StepCatalog.Keywords);

    [Theory]
    [MemberData(nameof(ShippedScenarios.FileNameData), MemberType = typeof(ShippedScenarios))]
    public async Task Shipped_scenarios_are_valid(string file)
    {
        var result = await ScenarioLoader.LoadFileAsync(Path.Combine(RepositoryRoot.Scenarios, file));

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), result.Scenario!.Name);
    }

    [Fact]
    public void Loader_reads_every_field_of_a_full_scenario()
    {
        var result = ScenarioText.Load("""
            version: 1
            name: everything
            description: Uses every key.
            tags: [a, b-c]
            pair:
              provisioner: external
              replication: sync
              slot: my_slot
              primary:
                settings:
                  wal_keep_size: 64MB
                  max_wal_senders: 5
              standby:
                settings:
                  hot_standby_feedback: off
            observer:
              interval: 5ms
              alerts:
                max_lag_bytes: 1MB
                max_lag_time: 250ms
                stall: false
                stall_after: 2s
            steps:
              - verify_pair:
              - insert: { rows: 3, table: t1 }
                expect: { visible_within: 1s, visible_not_before: 1ms }
                timeout: 2s
              - bulk_insert_update:
              - wait_for_catchup: {}
              - set_apply_delay: 2s
              - pause_replay:
              - resume_replay:
              - load: { rate: 600/min, duration: 3s, batch: 5 }
              - name: count
                sql: { on: standby, query: select 1 }
                expect: { result: "1" }
              - wait: 100ms
            assertions:
              max_lag_bytes: 2MB
              max_lag_time: 1s
              alerts_fired: [time]
              alerts_not_fired: [bytes]
              contents_equal: yes
            """);

        Assert.Empty(result.Errors);
        var s = result.Scenario!;
        Assert.Equal("everything", s.Name);
        Assert.Equal("Uses every key.", s.Description);
        Assert.Equal(["a", "b-c"], s.Tags);
        Assert.Equal(ProvisionerKind.External, s.Pair.Provisioner);
        Assert.Equal(ReplicationMode.Sync, s.Pair.Replication);
        Assert.Equal("my_slot", s.Pair.SlotName);
        Assert.Equal("64MB", s.Pair.Primary.Settings["wal_keep_size"]);
        Assert.Equal("5", s.Pair.Primary.Settings["max_wal_senders"]);
        Assert.Equal("off", s.Pair.Standby.Settings["hot_standby_feedback"]);
        Assert.Equal(new LagObserverSpec(TimeSpan.FromMilliseconds(5), new ByteSize(1024 * 1024), TimeSpan.FromMilliseconds(250), false, TimeSpan.FromSeconds(2)), s.Observer);

        Assert.Collection(s.Steps,
            step => Assert.IsType<VerifyPairStep>(step),
            step =>
            {
                var insert = Assert.IsType<InsertRowsStep>(step);
                Assert.Equal(("t1", 3), (insert.Table, insert.Rows));
                Assert.Equal(TimeSpan.FromSeconds(1), insert.Expect.VisibleWithin);
                Assert.Equal(TimeSpan.FromMilliseconds(1), insert.Expect.VisibleNotBefore);
                Assert.Equal(TimeSpan.FromSeconds(2), insert.Timeout);
                Assert.Equal(25, insert.Line);
            },
            step => Assert.Equal(100, Assert.IsType<BulkInsertUpdateStep>(step).Rows),
            step => Assert.IsType<WaitForCatchUpStep>(step),
            step => Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<SetApplyDelayStep>(step).Delay),
            step => Assert.IsType<PauseReplayStep>(step),
            step => Assert.IsType<ResumeReplayStep>(step),
            step =>
            {
                var load = Assert.IsType<SustainedLoadStep>(step);
                Assert.Equal(10.0, load.Rate.RowsPerSecond, precision: 6);
                Assert.Equal(TimeSpan.FromSeconds(3), load.Duration);
                Assert.Equal(5, load.BatchSize);
                Assert.Equal(TimeSpan.FromSeconds(33), load.Timeout);
                Assert.Equal(StepBinderDefaults.Table, load.Table);
            },
            step =>
            {
                var sql = Assert.IsType<SqlStep>(step);
                Assert.Equal(("count", "standby", "select 1", "1"), (sql.Name, sql.On, sql.Query, sql.Expect.Result));
            },
            step => Assert.Equal(TimeSpan.FromMilliseconds(100), Assert.IsType<WaitStep>(step).Duration));

        Assert.Equal(new ByteSize(2 * 1024 * 1024), s.Assertions.MaxLagBytes);
        Assert.Equal(TimeSpan.FromSeconds(1), s.Assertions.MaxLagTime);
        Assert.Equal([AlertKind.Time], s.Assertions.AlertsFired);
        Assert.Equal([AlertKind.Bytes], s.Assertions.AlertsNotFired);
        Assert.True(s.Assertions.ContentsEqual);
    }

    [Fact]
    public void Optional_sections_take_the_seeds_defaults()
    {
        var s = ScenarioText.Load(ScenarioText.WithSteps("  - verify_pair:\n")).Scenario!;

        Assert.Equal(PairSpec.Default, s.Pair);
        Assert.Equal(LagObserverSpec.Default, s.Observer);
        Assert.Equal(new ByteSize(10 * 1024 * 1024), s.Observer.AlertBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), s.Observer.AlertTime);
        Assert.Equal(ScenarioAssertions.None, s.Assertions);
        Assert.Equal(ScenarioStep.DefaultTimeout, s.Steps[0].Timeout);
        Assert.Equal("verify_pair", s.Steps[0].Name);
    }

    [Fact]
    public void Loader_rejects_a_duration_written_in_words()
    {
        var errors = ScenarioText.Errors("""
            version: 1
            name: t
            steps:
              - verify_pair:
              - insert:
                expect:
                  visible_within: 1 second
            """);

        Assert.Equal(["test.yaml:7:23 steps[1].expect.visible_within: '1 second' is not a duration (use 1s or 250ms; units: us, ms, s, min (or m), h)"], errors);
    }

    [Fact]
    public void Loader_rejects_a_threshold_without_unit()
    {
        var errors = ScenarioText.Errors("version: 1\nname: t\nsteps:\n  - wait: 5\nassertions:\n  max_lag_bytes: 1024\n");

        Assert.Equal(
        [
            "test.yaml:4:11 steps[0].wait: '5' has no unit; write 5s or 5ms",
            "test.yaml:6:18 assertions.max_lag_bytes: '1024' has no unit; write 1024B, 1024kB or 1024MB",
        ], errors);
    }

    [Fact]
    public void Unknown_key_gets_a_did_you_mean_hint()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - insert:\n    expect:\n      visible_whithin: 1s\n"));

        Assert.Equal(["test.yaml:6:7 steps[0].expect.visible_whithin: unknown key 'visible_whithin' (did you mean 'visible_within'?)"], errors);
    }

    [Fact]
    public void Unknown_key_far_from_any_known_one_lists_the_known_keys()
    {
        var errors = ScenarioText.Errors("version: 1\nname: t\nflavour: vanilla\nsteps:\n  - verify_pair:\n");

        Assert.Equal(["test.yaml:3:1 flavour: unknown key 'flavour'; expected one of: version, name, description, tags, pair, topology, matrix, observer, steps, assertions"], errors);
    }

    [Fact]
    public void Every_error_in_a_file_is_reported_at_once_in_file_order()
    {
        var errors = ScenarioText.Errors("""
            version: 2
            name: Bad Name
            pair:
              provisioner: lcoal
              slot: Slot-1
            steps:
              - insert: { rows: 0 }
              - sleep: 1s
            """);

        Assert.Equal(
        [
            "test.yaml:1:10 version: '2' is not a supported format version; this harness reads version 1",
            "test.yaml:2:7 name: 'Bad Name' is not a valid name; use lower-case letters, digits, '-' and '_' (at most 64), e.g. 'bulk-insert-update'",
            "test.yaml:4:16 pair.provisioner: 'lcoal' is not a provisioner (did you mean 'local'?); use local, testcontainers or external",
            "test.yaml:5:9 pair.slot: 'Slot-1' is not a valid replication slot name; use lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters",
            "test.yaml:7:21 steps[0].insert.rows: 0 is out of range; use 1 to 1,000,000",
            $"test.yaml:8:5 steps[1].sleep: unknown key 'sleep'; expected one of: {Actions}, name, timeout, expect",
            $"test.yaml:8:5 steps[1]: the step has no action; give it one of: {Actions}",
        ], errors);
    }

    [Fact]
    public void Missing_required_keys_are_named()
    {
        var errors = ScenarioText.Errors("description: nothing else\n");

        Assert.Equal(
        [
            "test.yaml:1:1 version: 'version' is required; add 'version: 1' at the top",
            "test.yaml:1:1 name: 'name' is required; give the scenario a short name, e.g. 'name: single-insert'",
            "test.yaml:1:1 steps: 'steps' is required; list what the scenario does, starting with '- verify_pair:'",
        ], errors);
    }

    [Fact]
    public void A_step_with_two_actions_is_rejected()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - insert:\n    wait: 1s\n"));

        Assert.Equal(["test.yaml:5:5 steps[0].wait: the step has two actions ('insert' and 'wait'); put each in a step of its own"], errors);
    }

    [Fact]
    public void A_step_written_without_its_colon_gets_the_fix()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - verify_pair\n"));

        Assert.Equal(["test.yaml:4:5 steps[0]: write '- verify_pair:' with a colon; a step is a mapping whose first key is its action"], errors);
    }

    [Fact]
    public void An_expectation_that_does_not_fit_the_step_is_rejected()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - wait: 1s\n    expect:\n      visible_within: 1s\n      result: x\n"));

        Assert.Equal(
        [
            "test.yaml:6:7 steps[0].expect.visible_within: applies to write steps (insert, bulk_insert_update, load), not to 'wait'",
            "test.yaml:7:7 steps[0].expect.result: applies to 'sql' steps, not to 'wait'",
        ], errors);
    }

    [Fact]
    public void Limits_that_contradict_each_other_are_rejected()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("""
              - insert:
                expect: { visible_within: 5s, visible_not_before: 6s }
                timeout: 2s
              - wait: 10s
                timeout: 5s
            """));

        Assert.Equal(
        [
            "test.yaml:5:13 steps[0].expect.visible_not_before: visible_not_before (6s) is later than visible_within (5s); no write could pass both",
            "test.yaml:6:5 steps[0].timeout: expect.visible_within (5s) is longer than the step's timeout (2s); raise the timeout",
            "test.yaml:8:5 steps[1].timeout: the step runs for 10s but its timeout is 5s; make the timeout longer than the step",
        ], errors);
    }

    [Fact]
    public void Settings_the_harness_owns_cannot_be_set()
    {
        var errors = ScenarioText.Errors("version: 1\nname: t\npair:\n  standby:\n    settings:\n      port: 5433\n      primary_conninfo: host=x\n      work_mem: [1]\nsteps:\n  - verify_pair:\n");

        Assert.Equal(
        [
            "test.yaml:6:7 pair.standby.settings.port: 'port' is set by the harness (ports, sockets, directories and the standby's connection are its job); remove it",
            "test.yaml:7:7 pair.standby.settings.primary_conninfo: 'primary_conninfo' is set by the harness (ports, sockets, directories and the standby's connection are its job); remove it",
            "test.yaml:8:17 pair.standby.settings.work_mem: expected a single value as it would appear in postgresql.conf, found a list",
        ], errors);
    }

    [Fact]
    public void Alert_lists_are_checked_against_each_other_and_the_observer()
    {
        var errors = ScenarioText.Errors("""
            version: 1
            name: t
            observer:
              alerts: { stall: false }
            steps:
              - verify_pair:
            assertions:
              alerts_fired: [time, stall]
              alerts_not_fired: [time, bites]
            """);

        Assert.Equal(
        [
            "test.yaml:8:24 assertions.alerts_fired[1]: the stall alert cannot be judged while stall detection is off (observer.alerts.stall: false)",
            "test.yaml:9:21 assertions.alerts_not_fired: alert 'time' is listed both as fired and as not fired; keep one",
            "test.yaml:9:28 assertions.alerts_not_fired[1]: 'bites' is not a lag alert (did you mean 'bytes'?); use bytes, time or stall",
        ], errors);
    }

    [Fact]
    public void A_top_level_list_is_not_a_scenario()
    {
        Assert.Equal(["test.yaml:1:1: expected a mapping (key: value lines), found a list"], ScenarioText.Errors("- a\n- b\n"));
    }

    [Fact]
    public void Sql_step_requires_node_and_query()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - sql: { on: replica }\n"));

        Assert.Equal(
        [
            "test.yaml:4:10 steps[0].sql.query: 'query' is required; give the statement, e.g. 'query: select count(*) from harness_items'",
            "test.yaml:4:16 steps[0].sql.on: 'replica' is not a node of this scenario; use primary or standby",
        ], errors);
    }

    [Fact]
    public void Stop_and_start_steps_name_a_node_and_a_mode()
    {
        var result = ScenarioText.Load(ScenarioText.WithSteps("  - stop_node: { node: standby, mode: kill }\n  - start_node: { node: standby }\n  - stop_node: { node: replica, mode: gently }\n"));

        Assert.Equal(
        [
            "test.yaml:6:24 steps[2].stop_node.node: 'replica' is not a node of this scenario; use primary or standby",
            "test.yaml:6:39 steps[2].stop_node.mode: 'gently' is not a stop mode; use fast, immediate or kill",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_background_load_must_be_collected_by_one_wait_for_load()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - wait_for_load:\n  - load: { rate: 10/s, duration: 1s, background: true }\n  - load: { rate: 10/s, duration: 1s, background: true }\n"));

        Assert.Equal(
        [
            "test.yaml:4:5 steps[0]: no background load is running here; start one with 'load: { ..., background: true }' first",
            "test.yaml:5:5 steps[1]: the background load is never collected; add '- wait_for_load:' after the steps it should run beside",
            "test.yaml:6:5 steps[2]: a background load is already running (steps[1]); add '- wait_for_load:' before starting another",
        ], errors);
    }

    [Fact]
    public void No_other_load_may_start_while_a_background_load_runs()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - load: { rate: 10/s, duration: 1s, background: true }\n  - load: { rate: 10/s, duration: 1s }\n  - wait_for_load:\n"));

        Assert.Equal(["test.yaml:5:5 steps[1]: a background load is still running (steps[0]); add '- wait_for_load:' before another load"], errors);
    }

    [Fact]
    public void Wait_for_load_times_out_after_the_loads_duration_plus_the_default()
    {
        var steps = ScenarioText.Load(ScenarioText.WithSteps("  - load: { rate: 10/s, duration: 20s, background: true }\n  - wait: 1s\n  - wait_for_load:\n")).Scenario!.Steps;

        Assert.True(((SustainedLoadStep)steps[0]).Background);
        Assert.Equal(TimeSpan.FromSeconds(50), Assert.IsType<WaitForLoadStep>(steps[2]).Timeout);
    }
}
