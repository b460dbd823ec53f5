using ReplicationHarness.Provisioning.External;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>freeze_node and thaw_node as the loader binds them, and what the catalog says they need.</summary>
public class FreezeStepTests
{
    [Fact]
    public void Freeze_and_thaw_bind_the_node_they_name()
    {
        var result = ScenarioText.Load(ScenarioText.WithSteps("  - freeze_node: { node: standby }\n  - thaw_node: { node: standby }\n  - freeze_node: { node: primary }\n"));

        Assert.Empty(result.Errors);
        var steps = result.Scenario!.Steps;
        Assert.Equal("standby", Assert.IsType<FreezeNodeStep>(steps[0]).Node);
        Assert.Equal("standby", Assert.IsType<ThawNodeStep>(steps[1]).Node);
        Assert.Equal("primary", Assert.IsType<FreezeNodeStep>(steps[2]).Node);
        Assert.Equal(ScenarioStep.DefaultTimeout, steps[0].Timeout);
    }

    [Fact]
    public void A_missing_node_is_refused_with_file_line_and_field()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - freeze_node: {}\n  - thaw_node:\n"));

        Assert.Equal(
        [
            "test.yaml:4:18 steps[0].freeze_node.node: 'node' is required; say which node freezes, e.g. 'node: standby' or 'node: primary'",
            "test.yaml:5:15 steps[1].thaw_node: expected a mapping (key: value lines), found nothing (null)",
        ], errors);
    }

    [Fact]
    public void A_node_that_is_not_primary_or_standby_is_refused_naming_the_field()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - freeze_node: { node: replica }\n  - thaw_node: { node: standby, mode: hard }\n"));

        Assert.Equal(
        [
            "test.yaml:4:26 steps[0].freeze_node.node: 'replica' is not a node of this scenario; use primary or standby",
            "test.yaml:5:33 steps[1].thaw_node.mode: unknown key 'mode' (did you mean 'node'?)",
        ], errors);
    }

    [Fact]
    public void Both_inject_faults_on_servers_the_harness_owns_and_may_follow_a_promotion()
    {
        foreach (var keyword in new[] { FreezeNodeStep.Kind, ThawNodeStep.Kind })
        {
            var definition = StepCatalog.Find(keyword)!;
            Assert.True(definition.InjectsFault, keyword);
            Assert.Equal(PairNeeds.OwnsServers, definition.Needs);
            Assert.True(definition.AllowedAfterPromote, keyword);
            Assert.Equal(StepFamily.NodeControl, definition.Family);
        }
        Assert.Empty(ScenarioText.Errors(ScenarioText.WithSteps("  - freeze_node: { node: primary }\n  - promote:\n  - thaw_node: { node: primary }\n")));
    }

    [Fact]
    public void Every_step_on_servers_the_harness_owns_says_what_it_does_to_them()
    {
        // The external-pair refusal reads "cannot {ServerAction}": a step without one would be refused vaguely.
        Assert.All(StepCatalog.All.Where(d => d.Needs.HasFlag(PairNeeds.OwnsServers)), d => Assert.False(string.IsNullOrWhiteSpace(d.ServerAction), d.Keyword));
    }

    [Fact]
    public void An_external_pair_refuses_them_before_anything_starts()
    {
        var scenario = ScenarioText.Load(ScenarioText.WithSteps("  - freeze_node: { node: standby }\n  - thaw_node: { node: standby }\n")).Scenario!;

        var problems = ExternalSafety.Check(scenario, allowDestructive: true);

        Assert.Equal(
        [
            "steps[0] freeze_node: the harness does not own an external pair's servers and cannot freeze them (SIGSTOP to their processes); run this scenario on a local pair",
            "steps[1] thaw_node: the harness does not own an external pair's servers and cannot thaw them (SIGCONT to their processes); run this scenario on a local pair",
        ], problems);
    }
}
