using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

public class PromoteStepTests
{
    [Fact]
    public void Promote_defaults_to_pg_promote_and_reads_its_expectations()
    {
        var result = ScenarioText.Load(ScenarioText.WithSteps("  - promote:\n    expect: { promoted_within: 2s, max_lost_writes: 0 }\n"));
        var trigger = ScenarioText.Load(ScenarioText.WithSteps("  - promote: { method: trigger_file }\n"));

        Assert.Empty(result.Errors);
        var step = Assert.IsType<PromoteStep>(result.Scenario!.Steps[0]);
        Assert.Equal(PromoteMethod.PgPromote, step.Method);
        Assert.Equal(TimeSpan.FromSeconds(2), step.Expect.PromotedWithin);
        Assert.Equal(0, step.Expect.MaxLostWrites);
        Assert.Equal(PromoteMethod.TriggerFile, Assert.IsType<PromoteStep>(trigger.Scenario!.Steps[0]).Method);
    }

    [Fact]
    public void Promote_rejects_an_unknown_method_and_expectations_of_other_steps()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - wait: 1s\n    expect: { promoted_within: 1s }\n  - promote: { method: pg_ctl }\n    expect: { max_lost_writes: -1, visible_within: 1s }\n"));

        Assert.Equal(
        [
            "test.yaml:5:15 steps[0].expect.promoted_within: applies to promotions (promote, switchover), not to 'wait'",
            "test.yaml:6:24 steps[1].promote.method: 'pg_ctl' is not a promote method; use pg_promote or trigger_file",
            "test.yaml:7:32 steps[1].expect.max_lost_writes: -1 is out of range; use 0 to 2,147,483,647",
            "test.yaml:7:36 steps[1].expect.visible_within: applies to write steps (insert, bulk_insert_update, load), not to 'promote'",
        ], errors);
    }

    [Fact]
    public void After_a_promotion_the_roles_moved_and_only_what_works_on_them_may_follow()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - promote:\n  - sql: { on: standby, query: select 1 }\n  - insert:\n    expect: { visible_within: 1s }\n  - wait_for_catchup:\n  - rejoin:\n  - reclone:\n  - promote:\n  - switchover:\n"));

        const string Allowed = "verify_pair, sync_state, insert, bulk_insert_update, wait_for_catchup, set_apply_delay, pause_replay, resume_replay, load, sql, wait, stop_node, start_node, freeze_node, thaw_node, wait_for_load, reads, wait_for_reads, follow, rejoin (writes go to the new primary)";
        Assert.Equal(
        [
            $"test.yaml:10:5 steps[5]: 'reclone' cannot follow 'promote' (steps[0]): the roles moved; after a promotion use {Allowed}",
            $"test.yaml:11:5 steps[6]: 'promote' cannot follow 'promote' (steps[0]): the roles moved; after a promotion use {Allowed}",
            $"test.yaml:12:5 steps[7]: 'switchover' cannot follow 'promote' (steps[0]): the roles moved; after a promotion use {Allowed}",
        ], errors);
    }

    [Fact]
    public void Follow_and_rejoin_need_a_promotion_before_them_and_a_pair_has_no_standby_to_follow()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - follow:\n  - rejoin: { node: primary, fallback: base_backup }\n  - switchover:\n  - follow:\n"));

        Assert.Equal(
        [
            "test.yaml:4:5 steps[0]: 'follow' acts on the roles a promotion moved, but no 'promote' comes before it; promote a standby first",
            "test.yaml:4:5 steps[0]: the topology's only standby is the one promoted: no other standby can follow it; use 'rejoin' to bring the old primary back as its standby",
            "test.yaml:5:5 steps[1]: 'rejoin' acts on the roles a promotion moved, but no 'promote' comes before it; promote a standby first",
            "test.yaml:7:5 steps[3]: the topology's only standby is the one promoted: no other standby can follow it; use 'rejoin' to bring the old primary back as its standby",
        ], errors);
    }

    [Fact]
    public void Rejoin_and_switchover_read_their_arguments()
    {
        var steps = ScenarioText.Load("version: 1\nname: t\ntopology:\n  standbys: { s1: , s2: }\nsteps:\n"
            + "  - switchover: { to: s2 }\n  - follow: { on: s1 }\n  - rejoin: { fallback: base_backup }\n  - rejoin: { node: primary }\n").Scenario!.Steps;

        Assert.Equal("s2", Assert.IsType<SwitchoverStep>(steps[0]).To);
        Assert.Equal("s1", Assert.IsType<FollowStep>(steps[1]).On);
        Assert.Equal(new RejoinStep(2, "rejoin", ScenarioStep.DefaultTimeout, StepExpectation.None, 8, null, FallBack: true), steps[2] with { Expect = StepExpectation.None });
        Assert.Equal(("primary", false), (Assert.IsType<RejoinStep>(steps[3]).Node, ((RejoinStep)steps[3]).FallBack));
    }

    [Fact]
    public void A_probed_background_load_may_not_run_across_a_promotion()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - load: { rate: 100/s, duration: 2s, background: true }\n    expect: { visible_within: 1s }\n  - promote:\n  - wait_for_load:\n"));
        var unprobed = ScenarioText.Errors(ScenarioText.WithSteps("  - load: { rate: 100/s, duration: 2s, background: true }\n  - promote:\n  - wait_for_load:\n"));

        Assert.Equal(["test.yaml:4:5 steps[0]: this background load probes its writes on the standbys, but steps[1] promotes one while it runs; collect it with 'wait_for_load' before the promotion, or drop its visibility expectations"], errors);
        Assert.Empty(unprobed);
    }

    [Fact]
    public void Contents_equal_is_refused_after_a_promotion_unless_something_streams_from_the_new_primary_again()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - promote:\n") + "assertions:\n  contents_equal: true\n");
        var rejoined = ScenarioText.Errors(ScenarioText.WithSteps("  - promote:\n  - rejoin:\n") + "assertions:\n  contents_equal: true\n");

        Assert.Equal(
        [
            "test.yaml:6:3 assertions.contents_equal: contents_equal compares the primary with its standbys, but after steps[0] promotes one nothing streams from the new primary; follow or rejoin after it, or remove contents_equal (the promote step checks every acknowledged write against the new primary)",
        ], errors);
        Assert.Empty(rejoined);
    }

    [Fact]
    public void Promoted_within_longer_than_the_timeout_is_refused()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - promote:\n    timeout: 1s\n    expect: { promoted_within: 5s }\n"));

        Assert.Equal(["test.yaml:5:5 steps[0].timeout: expect.promoted_within (5s) is longer than the step's timeout (1s); raise the timeout"], errors);
    }

    [Fact]
    public void Blocked_for_is_an_insert_expectation_shorter_than_its_timeout_and_never_probed()
    {
        var loaded = ScenarioText.Load(ScenarioText.WithSteps("  - insert:\n    expect: { blocked_for: 1s }\n"));
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - insert:\n    timeout: 1s\n    expect: { blocked_for: 1s }\n  - insert:\n    expect: { blocked_for: 1s, visible_within: 1s }\n  - bulk_insert_update:\n    expect: { blocked_for: 1s }\n"));

        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<InsertRowsStep>(loaded.Scenario!.Steps[0]).Expect.BlockedFor);
        Assert.Equal(
        [
            "test.yaml:5:5 steps[0].timeout: expect.blocked_for (1s) is not shorter than the step's timeout (1s); raise the timeout",
            "test.yaml:8:15 steps[1].expect.blocked_for: expects the commit to stay unacknowledged, so it cannot be probed for visibility too; drop visible_within and visible_not_before, or blocked_for",
            "test.yaml:10:15 steps[2].expect.blocked_for: applies to 'insert' steps (the commit waits that long unacknowledged), not to 'bulk_insert_update'",
        ], errors);
    }
}
