using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Running;

public sealed class PairResetTests
{
    [Fact]
    public void Only_steps_that_move_roles_or_rebuild_a_node_end_reuse()
    {
        Assert.Equal(["reclone", "promote", "switchover", "follow", "rejoin"], StepCatalog.All.Where(d => d.EndsReuse is not null).Select(d => d.Keyword));
    }

    [Theory]
    [InlineData("  - promote:\n", "it promoted a standby (steps[1] promote)")]
    [InlineData("  - reclone:\n", "it rebuilt a standby (a new slot and base backup) (steps[1] reclone)")]
    [InlineData("  - pause_replay:\n  - set_apply_delay: 1s\n  - stop_node: { node: standby }\n", null)]
    public void A_scenario_is_unresettable_for_its_first_step_that_ends_reuse(string steps, string? expected)
    {
        var scenario = ScenarioText.Load(ScenarioText.WithSteps("  - insert:\n" + steps)).Scenario!;

        Assert.Equal(expected, PairReset.Unresettable(StubPair.Create(ProvisionerKind.Local, running: true), scenario));
    }

    [Fact]
    public void A_pair_whose_roles_moved_is_unresettable_whatever_the_steps()
    {
        var pair = StubPair.Create(ProvisionerKind.Local, running: true);
        pair.MoveRoles(pair.Roles.Promoted("standby"));
        var scenario = ScenarioText.Load(ScenarioText.WithSteps("  - insert:\n")).Scenario!;

        Assert.Equal("the scenario moved the roles (standby is the primary now)", PairReset.Unresettable(pair, scenario));
    }
}
