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
            "test.yaml:5:15 steps[0].expect.promoted_within: applies to 'promote' steps, not to 'wait'",
            "test.yaml:6:24 steps[1].promote.method: 'pg_ctl' is not a promote method; use pg_promote or trigger_file",
            "test.yaml:7:32 steps[1].expect.max_lost_writes: -1 is out of range; use 0 to 2,147,483,647",
            "test.yaml:7:36 steps[1].expect.visible_within: applies to write steps (insert, bulk_insert_update, load), not to 'promote'",
        ], errors);
    }

    [Fact]
    public void Steps_that_need_the_old_primary_cannot_follow_a_promotion()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - promote:\n  - sql: { on: standby, query: select 1 }\n  - insert:\n  - wait_for_catchup:\n  - promote:\n"));

        Assert.Equal(
        [
            "test.yaml:6:5 steps[2]: 'insert' cannot follow 'promote' (steps[0]): the old primary no longer takes writes; after a promotion use verify_pair, sql, wait, stop_node, start_node, freeze_node, thaw_node, wait_for_load (sql 'on: standby' talks to the new primary)",
            "test.yaml:7:5 steps[3]: 'wait_for_catchup' cannot follow 'promote' (steps[0]): the old primary no longer takes writes; after a promotion use verify_pair, sql, wait, stop_node, start_node, freeze_node, thaw_node, wait_for_load (sql 'on: standby' talks to the new primary)",
            "test.yaml:8:5 steps[4]: 'promote' cannot follow 'promote' (steps[0]): the old primary no longer takes writes; after a promotion use verify_pair, sql, wait, stop_node, start_node, freeze_node, thaw_node, wait_for_load (sql 'on: standby' talks to the new primary)",
        ], errors);
    }

    [Fact]
    public void Contents_equal_is_refused_in_a_scenario_that_promotes()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - promote:\n") + "assertions:\n  contents_equal: true\n");

        Assert.Equal(
        [
            "test.yaml:6:3 assertions.contents_equal: contents_equal compares the primary with its standby, but steps[0] promotes the standby; remove it (the promote step checks every acknowledged write against the new primary)",
        ], errors);
    }

    [Fact]
    public void Promoted_within_longer_than_the_timeout_is_refused()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - promote:\n    timeout: 1s\n    expect: { promoted_within: 5s }\n"));

        Assert.Equal(["test.yaml:5:5 steps[0].timeout: expect.promoted_within (5s) is longer than the step's timeout (1s); raise the timeout"], errors);
    }
}
