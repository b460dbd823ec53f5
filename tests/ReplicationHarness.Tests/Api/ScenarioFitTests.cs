using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Api;

/// <summary>A scenario runs on a built pair only when its servers are the pair's; otherwise every difference is named.</summary>
public class ScenarioFitTests
{
    private static readonly TopologySpec Pair = TopologySpec.FromPair(PairSpec.Default);

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Written(params (string Node, string Name, string Value)[] settings) =>
        new[] { "primary", "standby", "s1", "s2" }.ToDictionary(n => n, n => (IReadOnlyDictionary<string, string>)settings.Where(s => s.Node == n).ToDictionary(s => s.Name, s => s.Value));

    [Fact]
    public void The_pair_shorthand_fits_a_pair_built_with_one_standby()
    {
        Assert.Empty(ScenarioFit.Problems(Pair, Pair, Written()));
    }

    [Fact]
    public void A_setting_the_pair_was_given_fits_and_one_it_lacks_or_has_otherwise_is_named()
    {
        var scenario = Pair with { Primary = new NodeSpec(new Dictionary<string, string> { ["wal_compression"] = "lz4", ["wal_keep_size"] = "1GB", ["work_mem"] = "8MB" }) };

        var problems = ScenarioFit.Problems(scenario, Pair, Written(("primary", "wal_compression", "lz4"), ("primary", "wal_keep_size", "64MB")));

        Assert.Equal(
        [
            "the scenario sets wal_keep_size = 1GB on primary; the pair has 64MB",
            "the scenario sets work_mem = 8MB on primary; the pair has no such setting written",
        ], problems);
    }

    [Fact]
    public void Other_standbys_another_synchronous_rule_and_network_faults_are_each_named()
    {
        var scenario = new TopologySpec(ProvisionerKind.Local, NodeSpec.Empty,
            [new StandbySpec("s1", "primary", "harness_s1", NodeSpec.Empty), new StandbySpec("s2", "s1", "harness_s2", NodeSpec.Empty)],
            new SynchronousStandbys(SyncMethod.First, 1, ["s1"]), LinkProxy: true);

        Assert.Equal(
        [
            "the scenario's standbys are s1 from primary (slot harness_s1), s2 from s1 (slot harness_s2); the pair's are standby from primary (slot harness_standby)",
            "the scenario has synchronous_standby_names 'FIRST 1 (s1)'; the pair has none (asynchronous)",
            "the scenario injects network faults; the pair was built without WithNetworkFaults()",
        ], ScenarioFit.Problems(scenario, Pair, Written()));
    }
}
