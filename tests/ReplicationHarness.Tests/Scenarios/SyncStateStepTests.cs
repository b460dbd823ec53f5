using ReplicationHarness.Assertions;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.Support;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary><c>sync_state: { s1: quorum, s2: quorum }</c>: each standby's expected state, read, refused when wrong, and judged.</summary>
public class SyncStateStepTests
{
    private static string WithSteps(string steps) =>
        "version: 1\nname: t\ntopology:\n  replication: sync\n  sync: { method: any, standbys: [s1, s2] }\n  standbys: { s1: , s2: }\nsteps:\n" + steps;

    [Fact]
    public void Reads_each_standby_with_its_state_in_the_order_written()
    {
        var result = ScenarioText.Load(WithSteps("  - sync_state: { s2: potential, s1: quorum }\n    timeout: 5s\n"));

        Assert.Empty(result.Errors);
        var step = Assert.IsType<SyncStateStep>(result.Scenario!.Steps[0]);
        Assert.Equal([KeyValuePair.Create("s2", SyncState.Potential), KeyValuePair.Create("s1", SyncState.Quorum)], step.Expected);
        Assert.Equal(TimeSpan.FromSeconds(5), step.Timeout);
    }

    [Fact]
    public void Refuses_a_node_that_is_no_standby_a_state_that_is_none_and_a_step_that_names_nothing()
    {
        Assert.Equal(
        [
            "test.yaml:8:19 steps[0].sync_state.s3: 's3' is not a standby of this scenario (did you mean 's1'?); use s1 or s2",
            "test.yaml:8:33 steps[0].sync_state.s2: 'quorom' is not a sync state (did you mean 'quorum'?); use sync, quorum, potential or async",
        ], ScenarioText.Errors(WithSteps("  - sync_state: { s3: sync, s2: quorom }\n")));
        Assert.Equal(
            ["test.yaml:8:29 steps[0].sync_state.s1 : 's1' is named twice; name each standby once"],
            ScenarioText.Errors(WithSteps("  - sync_state: { s1: sync, \"s1 \": quorum }\n")));
        Assert.Equal(
            ["test.yaml:8:19 steps[0].sync_state.primary: the primary replays no WAL; name a standby: s1 or s2"],
            ScenarioText.Errors(WithSteps("  - sync_state: { primary: sync }\n")));
        Assert.Equal(
            ["test.yaml:8:17 steps[0].sync_state: give each standby the sync_state it must reach, e.g. 'sync_state: { s1: sync, s2: potential }'"],
            ScenarioText.Errors(WithSteps("  - sync_state: {}\n")));
        Assert.Equal(
            ["test.yaml:8:17 steps[0].sync_state: expected a mapping of standbys, found 'quorum'; give each standby the sync_state it must reach, e.g. 'sync_state: { s1: sync, s2: potential }'"],
            ScenarioText.Errors(WithSteps("  - sync_state: quorum\n")));
    }

    [Fact]
    public void Each_standby_is_one_check_and_the_failure_says_what_each_showed()
    {
        var outcome = SyncStateJudge.Judge(
            [new SyncStateObservation("s1", SyncState.Sync, "potential (state catchup)", false), new SyncStateObservation("s2", SyncState.Potential, "potential", true)],
            TimeSpan.FromSeconds(5));

        Assert.Equal(Verdict.Failed, outcome.Status);
        Assert.Equal([("s1: sync_state", "= sync", "potential (state catchup)", Verdict.Failed), ("s2: sync_state", "= potential", "potential", Verdict.Passed)],
            outcome.Checks.Select(c => (c.Name, MeasureText.Format(c.Threshold), MeasureText.Format(c.Observed), c.Status)));
        Assert.Equal("after 5s: s1 potential (state catchup), expected sync", outcome.Detail);
        Assert.Equal("s1 sync after 3ms", SyncStateJudge.Judge([new SyncStateObservation("s1", SyncState.Sync, "sync", true)], TimeSpan.FromMilliseconds(3)).Detail);
    }
}
