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
/// The steps and assertions that already cover every standby of a topology (run through the engine: the CLI still
/// refuses several standbys until lag and visibility are judged on each): each standby named in what it checks.
/// </summary>
public sealed class TopologyRunTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private async Task<ScenarioResult> RunAsync(string steps, string assertions = "")
    {
        var scenario = ScenarioLoader.Load("topology.yaml", System.Text.Encoding.UTF8.GetBytes($$"""
            version: 1
            name: three-standbys
            topology:
              standbys: { s1: , s2: , s3: { upstream: s1 } }
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
}
