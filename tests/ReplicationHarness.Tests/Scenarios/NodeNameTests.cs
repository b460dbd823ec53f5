using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>
/// Steps name their nodes as the scenario's topology does: <c>primary</c>, and <c>standby</c> with <c>pair:</c> or
/// each standby's own name with <c>topology:</c>. Each refusal is asserted as the user reads it.
/// </summary>
public class NodeNameTests
{
    private const string TwoStandbys = "topology:\n  standbys: { s1: , s2: }\n";

    private static string With(string servers, string steps) => $"version: 1\nname: t\n{servers}steps:\n{steps}";

    private static string Error(string yaml) => Assert.Single(ScenarioText.Errors(yaml));

    [Fact]
    public void A_topology_step_binds_the_standby_it_names()
    {
        var steps = ScenarioText.Load(With(TwoStandbys, """
              - sql: { on: s2, query: select 1 }
              - stop_node: { node: s1 }
              - start_node: { node: s1 }
              - freeze_node: { node: primary }
              - thaw_node: { node: primary }
              - pause_replay: { on: s2 }
              - resume_replay: { on: s2 }
              - set_apply_delay: { delay: 1s, on: s1 }
              - wait_for_catchup: { on: s1 }
              - promote: { on: s2 }

            """)).Scenario!.Steps;

        Assert.Equal(
            ["s2", "s1", "s1", "primary", "primary", "s2", "s2", "s1", "s1", "s2"],
            steps.Select(s => s switch
            {
                SqlStep sql => sql.On,
                StopNodeStep stop => stop.Node,
                StartNodeStep start => start.Node,
                FreezeNodeStep freeze => freeze.Node,
                ThawNodeStep thaw => thaw.Node,
                PauseReplayStep pause => pause.On,
                ResumeReplayStep resume => resume.On,
                SetApplyDelayStep delay => delay.On,
                WaitForCatchUpStep wait => wait.On,
                PromoteStep promote => promote.On,
                _ => throw new InvalidOperationException(s.Keyword),
            }));
        Assert.Equal(TimeSpan.FromSeconds(1), steps.OfType<SetApplyDelayStep>().Single().Delay);
    }

    [Fact]
    public void A_name_that_is_not_in_the_topology_is_refused_with_the_names_there_are()
    {
        Assert.Equal(
            "test.yaml:6:16 steps[0].sql.on: 's3' is not a node of this scenario (did you mean 's1'?); use primary, s1 or s2",
            Error(With(TwoStandbys, "  - sql: { on: s3, query: select 1 }\n")));
    }

    [Fact]
    public void With_a_topology_the_pair_name_standby_is_not_a_node()
    {
        Assert.Equal(
            "test.yaml:6:24 steps[0].stop_node.node: 'standby' is not a node of this scenario; use primary, s1 or s2",
            Error(With(TwoStandbys, "  - stop_node: { node: standby }\n")));
    }

    [Fact]
    public void A_step_that_acts_on_a_standby_refuses_the_primary()
    {
        Assert.Equal(
            "test.yaml:6:25 steps[0].pause_replay.on: the primary replays no WAL; name a standby: s1 or s2",
            Error(With(TwoStandbys, "  - pause_replay: { on: primary }\n")));
    }

    [Theory]
    [InlineData("  - pause_replay:\n", "6:18 steps[0].pause_replay", "'pause_replay: { on: s1 }'")]
    [InlineData("  - resume_replay:\n", "6:19 steps[0].resume_replay", "'resume_replay: { on: s1 }'")]
    [InlineData("  - set_apply_delay: 2s\n", "6:22 steps[0].set_apply_delay", "'set_apply_delay: { delay: 2s, on: s1 }'")]
    [InlineData("  - reclone:\n", "6:13 steps[0].reclone", "'reclone: { node: s1 }'")]
    [InlineData("  - set_apply_delay: { delay: 2s }\n", "6:22 steps[0].set_apply_delay", "'set_apply_delay: { delay: ..., on: s1 }'")]
    public void A_step_on_one_standby_must_name_it_when_there_are_several(string step, string where, string example)
    {
        Assert.Equal(
            $"test.yaml:{where}: the topology has 2 standbys (s1, s2); say which one this step acts on, e.g. {example}",
            Error(With(TwoStandbys, step)));
    }

    [Fact]
    public void Steps_with_a_rule_for_several_standbys_need_no_name()
    {
        var steps = ScenarioText.Load(With(TwoStandbys, "  - wait_for_catchup:\n  - promote:\n")).Scenario!.Steps;

        Assert.Null(Assert.IsType<WaitForCatchUpStep>(steps[0]).On);
        Assert.Null(Assert.IsType<PromoteStep>(steps[1]).On);
    }

    [Fact]
    public void With_one_standby_a_step_may_leave_it_unnamed_and_pair_scenarios_read_as_before()
    {
        var topology = ScenarioText.Load(With("topology:\n  standbys: { s1: }\n", "  - pause_replay:\n  - set_apply_delay: 1s\n")).Scenario!.Steps;
        var pair = ScenarioText.Load(With("", "  - set_apply_delay: 500ms\n  - sql: { on: standby, query: select 1 }\n")).Scenario!.Steps;

        Assert.Null(Assert.IsType<PauseReplayStep>(topology[0]).On);
        Assert.Equal(new SetApplyDelayStep(1, "set_apply_delay", ScenarioStep.DefaultTimeout, StepExpectation.None, 7, TimeSpan.FromSeconds(1)), topology[1]);
        Assert.Equal((TimeSpan.FromMilliseconds(500), (string?)null), (Assert.IsType<SetApplyDelayStep>(pair[0]).Delay, ((SetApplyDelayStep)pair[0]).On));
        Assert.Equal("standby", Assert.IsType<SqlStep>(pair[1]).On);
    }

    [Fact]
    public void A_scalar_apply_delay_still_says_what_a_duration_looks_like()
    {
        Assert.Contains("steps[0].set_apply_delay: ", Error(With("", "  - set_apply_delay: soon\n")));
    }

    [Fact]
    public void A_topology_without_standbys_to_check_against_adds_no_error_for_each_step_that_names_a_node()
    {
        var error = Error(With("topology:\n  standbys: 5\n", "  - sql: { on: s7, query: select 1 }\n"));

        Assert.Contains("topology.standbys: expected the standbys by name", error);
    }
}
