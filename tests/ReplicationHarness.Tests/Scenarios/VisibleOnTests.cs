using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary><c>expect.visible_on</c>: the standbys a write step's writes are probed on.</summary>
public class VisibleOnTests
{
    private static string WithSteps(string steps) => "version: 1\nname: t\ntopology:\n  standbys: { s1: , s2: , s3: { upstream: s1 } }\nsteps:\n" + steps;

    [Fact]
    public void Names_the_standbys_probed_in_the_order_written()
    {
        var result = ScenarioText.Load(WithSteps("  - insert: { rows: 1 }\n    expect: { visible_within: 1s, visible_on: [s3, s1] }\n"));

        Assert.Empty(result.Errors);
        Assert.Equal(["s3", "s1"], result.Scenario!.Steps[0].Expect.VisibleOn);
        Assert.Null(ScenarioText.Load(WithSteps("  - insert: { rows: 1 }\n    expect: { visible_within: 1s }\n")).Scenario!.Steps[0].Expect.VisibleOn);
    }

    [Fact]
    public void Refuses_what_is_no_standby_a_standby_twice_an_empty_list_and_a_list_with_nothing_to_judge()
    {
        Assert.Equal(
        [
            "test.yaml:7:48 steps[0].expect.visible_on[0]: the primary replays no WAL; name a standby: s1, s2 or s3",
            "test.yaml:7:57 steps[0].expect.visible_on[1]: 's4' is not a standby of this scenario (did you mean 's1'?); use s1, s2 or s3",
        ], ScenarioText.Errors(WithSteps("  - insert: { rows: 1 }\n    expect: { visible_within: 1s, visible_on: [primary, s4] }\n")));
        Assert.Equal(
            ["test.yaml:7:52 steps[0].expect.visible_on[1]: 's1' is listed twice; list each standby once"],
            ScenarioText.Errors(WithSteps("  - insert: { rows: 1 }\n    expect: { visible_within: 1s, visible_on: [s1, s1] }\n")));
        Assert.Equal(
            ["test.yaml:7:47 steps[0].expect.visible_on: expected a list of standbys such as [s1, s2], found an empty list"],
            ScenarioText.Errors(WithSteps("  - insert: { rows: 1 }\n    expect: { visible_within: 1s, visible_on: [] }\n")));
        Assert.Equal(
            ["test.yaml:7:15 steps[0].expect.visible_on: says where the writes are probed, but nothing is judged there; add visible_within (or visible_not_before)"],
            ScenarioText.Errors(WithSteps("  - insert: { rows: 1 }\n    expect: { visible_on: [s1] }\n")));
        Assert.Equal(
            ["test.yaml:7:15 steps[0].expect.visible_on: applies to write steps (insert, bulk_insert_update, load), not to 'wait'"],
            ScenarioText.Errors(WithSteps("  - wait: 1s\n    expect: { visible_on: [s1] }\n")));
    }
}
