using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>
/// <c>topology:</c>, a primary and named standbys, and <c>pair:</c> as its one-standby shorthand. Each rule of the
/// validator has a test here that asserts the message a user reads, so removing the rule fails its test.
/// </summary>
public class TopologyTests
{
    private static string WithTopology(string topology) => "version: 1\nname: t\ntopology:\n" + topology + "steps:\n  - verify_pair:\n";

    [Fact]
    public void Topology_reads_named_standbys_cascades_slots_settings_and_the_sync_rule()
    {
        var result = ScenarioText.Load(WithTopology("""
              provisioner: testcontainers
              replication: sync
              sync: { method: any, count: 2, standbys: [s1, s2] }
              primary:
                settings: { wal_keep_size: 64MB }
              standbys:
                s1:
                s2: { upstream: primary, slot: second }
                s3: { upstream: s1, settings: { hot_standby_feedback: off } }
                s4: { upstream: s3 }

            """));

        Assert.Empty(result.Errors);
        var topology = result.Scenario!.Topology;
        Assert.Equal(ProvisionerKind.Testcontainers, topology.Provisioner);
        Assert.Equal("64MB", topology.Primary.Settings["wal_keep_size"]);
        Assert.Equal(
            [("s1", "primary", "harness_s1"), ("s2", "primary", "second"), ("s3", "s1", "harness_s3"), ("s4", "s3", "harness_s4")],
            topology.Standbys.Select(s => (s.Name, s.Upstream, s.SlotName)));
        Assert.Equal("off", topology.Standbys[2].Node.Settings["hot_standby_feedback"]);
        Assert.Equal(ReplicationMode.Sync, topology.Replication);
        Assert.Equal((SyncMethod.Any, 2), (topology.Sync!.Method, topology.Sync.Count));
        Assert.Equal(["s1", "s2"], topology.Sync.Standbys);
        Assert.Equal("ANY 2 (s1, s2)", topology.Sync.Setting);
    }

    [Fact]
    public void A_topology_defaults_to_a_local_asynchronous_primary_without_settings()
    {
        var topology = ScenarioText.Load(WithTopology("  standbys: { s1: }\n")).Scenario!.Topology;

        Assert.Equal(ProvisionerKind.Local, topology.Provisioner);
        Assert.Same(NodeSpec.Empty, topology.Primary);
        Assert.Null(topology.Sync);
        Assert.Equal(ReplicationMode.Async, topology.Replication);
        Assert.Equal(new StandbySpec("s1", "primary", "harness_s1", NodeSpec.Empty), Assert.Single(topology.Standbys));
    }

    [Fact]
    public void Sync_method_defaults_to_first_and_count_to_one()
    {
        var sync = ScenarioText.Load(WithTopology("  replication: sync\n  sync: { standbys: [s2, s1] }\n  standbys: { s1: , s2: }\n")).Scenario!.Topology.Sync!;

        Assert.Equal("FIRST 1 (s2, s1)", sync.Setting);
    }

    [Fact]
    public void Replication_sync_with_one_standby_streaming_from_the_primary_waits_for_that_standby()
    {
        var topology = ScenarioText.Load(WithTopology("  replication: sync\n  standbys:\n    s1:\n    s2: { upstream: s1 }\n")).Scenario!.Topology;

        Assert.Equal(new SynchronousStandbys(SyncMethod.First, 1, ["s1"]).Setting, topology.Sync!.Setting);
    }

    [Fact]
    public void Pair_is_the_topology_of_one_standby_named_standby_and_gives_the_same_pair_as_before()
    {
        var s = ScenarioText.Load("""
            version: 1
            name: t
            pair:
              provisioner: external
              replication: sync
              slot: my_slot
              primary: { settings: { wal_keep_size: 64MB } }
              standby: { settings: { hot_standby_feedback: off } }
            steps:
              - verify_pair:
            """).Scenario!;

        var standby = Assert.Single(s.Topology.Standbys);
        Assert.Equal(("standby", "primary", "my_slot"), (standby.Name, standby.Upstream, standby.SlotName));
        Assert.Equal("FIRST 1 (standby)", s.Topology.Sync!.Setting);
        Assert.Equal(new PairSpec(ProvisionerKind.External, ReplicationMode.Sync, "my_slot", s.Topology.Primary, standby.Node), s.Pair);
        Assert.Equal("64MB", s.Pair.Primary.Settings["wal_keep_size"]);
        Assert.Equal("off", s.Pair.Standby.Settings["hot_standby_feedback"]);
    }

    [Fact]
    public void A_scenario_without_pair_or_topology_runs_on_the_default_pair()
    {
        var s = ScenarioText.Load(ScenarioText.WithSteps("  - verify_pair:\n")).Scenario!;

        Assert.Equal(PairSpec.Default, s.Pair);
        Assert.Equal(new StandbySpec("standby", "primary", PairSpec.DefaultSlotName, NodeSpec.Empty) { ApplicationName = "harness_standby" }, Assert.Single(s.Topology.Standbys));
        Assert.Equal(PairSpec.Default, TopologySpec.FromPair(PairSpec.Default).ToPair());
    }

    [Fact]
    public void A_one_standby_topology_gives_the_pair_its_pair_shorthand_gives()
    {
        const string Settings = "    settings: { wal_keep_size: 64MB }\n";
        var fromPair = ScenarioText.Load("version: 1\nname: t\npair:\n  replication: sync\n  slot: s\n  standby:\n" + Settings + "steps:\n  - set_network: { latency: 1ms }\n").Scenario!.Pair;
        var fromTopology = ScenarioText.Load(WithTopology("  replication: sync\n  standbys:\n    standby:\n      slot: s\n  " + Settings).Replace("verify_pair:", "set_network: { latency: 1ms }")).Scenario!.Pair;

        Assert.Equal(fromPair with { Standby = NodeSpec.Empty }, fromTopology with { Standby = NodeSpec.Empty });
        Assert.True(fromTopology.LinkProxy);
        Assert.Equal(fromPair.Standby.Settings, fromTopology.Standby.Settings);
    }

    [Fact]
    public void Pair_and_topology_together_are_refused_naming_the_line_of_the_first()
    {
        var errors = ScenarioText.Errors("version: 1\nname: t\npair:\n  slot: x\ntopology:\n  standbys: { s1: }\nsteps:\n  - verify_pair:\n");

        Assert.Equal(["test.yaml:5:1 topology: 'pair' and 'topology' both describe the servers, and 'pair' is already on line 3; keep one ('pair:' is the shorthand for a topology with one standby)"], errors);
    }

    [Fact]
    public void Standby_names_are_lower_case_identifiers_and_not_primary()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    S1:\n    primary:\n    s-2:\n    s3:\n"));

        Assert.Equal(
        [
            "test.yaml:5:5 topology.standbys.S1: 'S1' is not a valid standby name; use lower-case letters, digits and '_', starting with a letter, at most 32 characters, e.g. s1",
            "test.yaml:6:5 topology.standbys.primary: 'primary' is the primary's name; give the standby another, e.g. s1",
            "test.yaml:7:5 topology.standbys.s-2: 's-2' is not a valid standby name; use lower-case letters, digits and '_', starting with a letter, at most 32 characters, e.g. s1",
        ], errors);
    }

    [Fact]
    public void A_standby_name_given_twice_is_refused()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1:\n    s1: { upstream: primary }\n"));

        Assert.Equal(["test.yaml:6:5 topology.standbys.s1: duplicate key 's1' (first at line 5); keep one of them"], errors);
    }

    [Fact]
    public void A_topology_has_one_to_four_standbys()
    {
        Assert.Equal(
            ["test.yaml:9:5 topology.standbys.s5: 5 standbys, but a topology has at most 4; remove s5"],
            ScenarioText.Errors(WithTopology("  standbys:\n    s1:\n    s2:\n    s3:\n    s4:\n    s5:\n")));
        Assert.Equal(
            ["test.yaml:4:13 topology.standbys: a topology needs at least one standby; add one, e.g. 's1: { upstream: primary }'"],
            ScenarioText.Errors(WithTopology("  standbys: {}\n")));
        Assert.Equal(
            ["test.yaml:4:3 topology.standbys: 'standbys' is required; name each standby and where it streams from, e.g. 'standbys: { s1: { upstream: primary } }'"],
            ScenarioText.Errors(WithTopology("  replication: async\n")));
        Assert.Equal(
            ["test.yaml:5:5 topology.standbys: expected the standbys by name, e.g. 's1: { upstream: primary }', found a list"],
            ScenarioText.Errors(WithTopology("  standbys:\n    - s1\n")));
    }

    [Fact]
    public void An_upstream_is_the_primary_or_another_standby_of_the_topology()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1:\n    s2: { upstream: s3 }\n    s4: { upstream: s4 }\n    s5: { upstream: master }\n"));

        Assert.Equal(
        [
            "test.yaml:6:21 topology.standbys.s2.upstream: 's3' is not a node of this topology (did you mean 's1'?); use primary, s1, s4 or s5",
            "test.yaml:7:21 topology.standbys.s4.upstream: 's4' cannot stream from itself; use primary or another standby",
            "test.yaml:8:21 topology.standbys.s5.upstream: 'master' is not a node of this topology; use primary, s1, s2 or s4",
        ], errors);
    }

    [Fact]
    public void Standbys_streaming_only_from_each_other_are_a_cycle_reported_once()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1:\n    s2: { upstream: s4 }\n    s3: { upstream: s2 }\n    s4: { upstream: s3 }\n"));

        Assert.Equal(["test.yaml:6:21 topology.standbys.s2.upstream: s2 streams from s4, s4 from s3 and s3 from s2: a cycle that never reaches the primary; let one of them stream from primary"], errors);
    }

    [Fact]
    public void A_standby_leading_into_a_cycle_does_not_repeat_the_cycles_error()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1: { upstream: s2 }\n    s2: { upstream: s3 }\n    s3: { upstream: s2 }\n"));

        Assert.Equal(["test.yaml:6:21 topology.standbys.s2.upstream: s2 streams from s3 and s3 from s2: a cycle that never reaches the primary; let one of them stream from primary"], errors);
    }

    [Fact]
    public void Each_standby_has_a_slot_of_its_own()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1: { slot: shared }\n    s2: { slot: shared }\n    harness_x:\n    s4: { slot: harness_harness_x }\n    s5: { slot: Bad }\n"));

        Assert.Equal(
        [
            "test.yaml:6:17 topology.standbys.s2.slot: slot 'shared' is already s1's slot; give each standby a slot of its own",
            "test.yaml:8:17 topology.standbys.s4.slot: slot 'harness_harness_x' is already harness_x's slot; give each standby a slot of its own",
            "test.yaml:9:5 topology.standbys.s5: 5 standbys, but a topology has at most 4; remove s5",
            "test.yaml:9:17 topology.standbys.s5.slot: 'Bad' is not a valid replication slot name; use lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters",
        ], errors);
    }

    [Fact]
    public void A_derived_slot_that_clashes_is_reported_at_the_standbys_name()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1: { slot: harness_s2 }\n    s2:\n"));

        Assert.Equal(["test.yaml:6:5 topology.standbys.s2.slot: slot 'harness_s2' (derived from its name) is already s1's slot; give each standby a slot of its own"], errors);
    }

    [Fact]
    public void Standby_keys_and_settings_are_checked_as_a_pairs_are()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1: { upsteam: primary, settings: { port: 1 } }\n"));

        Assert.Equal(
        [
            "test.yaml:5:11 topology.standbys.s1.upsteam: unknown key 'upsteam' (did you mean 'upstream'?)",
            "test.yaml:5:41 topology.standbys.s1.settings.port: 'port' is set by the harness (ports, sockets, directories and the standby's connection are its job); remove it",
        ], errors);
    }

    [Fact]
    public void Sync_needs_replication_sync()
    {
        Assert.Equal(
            ["test.yaml:4:3 topology.sync: 'sync' says which standbys are synchronous, but replication is async (the default); add 'replication: sync' or remove 'sync'"],
            ScenarioText.Errors(WithTopology("  sync: { standbys: [s1] }\n  standbys: { s1: }\n")));
        Assert.Equal(
            ["test.yaml:5:3 topology.sync: 'sync' says which standbys are synchronous, but replication is async; add 'replication: sync' or remove 'sync'"],
            ScenarioText.Errors(WithTopology("  replication: async\n  sync: { standbys: [s1] }\n  standbys: { s1: }\n")));
    }

    [Fact]
    public void Replication_sync_with_several_standbys_streaming_from_the_primary_must_say_which_are_synchronous()
    {
        var errors = ScenarioText.Errors(WithTopology("  replication: sync\n  standbys: { s1: , s2: , s3: { upstream: s1 } }\n"));

        Assert.Equal(["test.yaml:4:16 topology.replication: 2 standbys stream from the primary (s1, s2); say which the primary waits for, e.g. 'sync: { method: first, count: 1, standbys: [s1, s2] }'"], errors);
    }

    [Fact]
    public void Sync_lists_standbys_of_the_topology_once_each_that_stream_from_the_primary()
    {
        var errors = ScenarioText.Errors(WithTopology("  replication: sync\n  sync: { method: frist, standbys: [s1, s3, s1, s9] }\n  standbys:\n    s1:\n    s2:\n    s3: { upstream: s1 }\n"));

        Assert.Equal(
        [
            "test.yaml:5:19 topology.sync.method: 'frist' is not a synchronous method (did you mean 'first'?); use first or any",
            "test.yaml:5:41 topology.sync.standbys[1]: 's3' streams from s1, not from the primary, so it cannot be synchronous (the primary waits only for standbys it sends WAL to); list s1 instead, or let s3 stream from primary",
            "test.yaml:5:45 topology.sync.standbys[2]: 's1' is listed twice; list each standby once",
            "test.yaml:5:49 topology.sync.standbys[3]: 's9' is not a standby of this topology (did you mean 's1'?); use s1, s2 or s3",
        ], errors);
    }

    [Fact]
    public void Sync_count_is_between_one_and_the_number_listed()
    {
        const string Standbys = "  standbys: { s1: , s2: }\n";
        Assert.Equal(
            ["test.yaml:5:18 topology.sync.count: count 3 is more than the 2 standbys listed, so no commit could ever be confirmed; use 1 to 2"],
            ScenarioText.Errors(WithTopology("  replication: sync\n  sync: { count: 3, standbys: [s1, s2] }\n" + Standbys)));
        Assert.Equal(
            ["test.yaml:5:18 topology.sync.count: 0 is out of range; use 1 to 4"],
            ScenarioText.Errors(WithTopology("  replication: sync\n  sync: { count: 0, standbys: [s1, s2] }\n" + Standbys)));
    }

    [Fact]
    public void Sync_needs_a_list_of_standbys()
    {
        const string Standbys = "  standbys: { s1: }\n";
        Assert.Equal(
            ["test.yaml:5:9 topology.sync.standbys: 'standbys' is required; list the standbys the primary waits for, e.g. 'standbys: [s1, s2]'"],
            ScenarioText.Errors(WithTopology("  replication: sync\n  sync: { method: any }\n" + Standbys)));
        Assert.Equal(
            ["test.yaml:5:21 topology.sync.standbys: list at least one standby the primary waits for, e.g. [s1]"],
            ScenarioText.Errors(WithTopology("  replication: sync\n  sync: { standbys: [] }\n" + Standbys)));
        Assert.Equal(
            ["test.yaml:5:21 topology.sync.standbys: expected a list of standbys such as [s1, s2], found 's1'"],
            ScenarioText.Errors(WithTopology("  replication: sync\n  sync: { standbys: s1 }\n" + Standbys)));
    }

    [Fact]
    public void A_topology_of_several_standbys_has_no_pair_and_says_so()
    {
        var scenario = ScenarioText.Load(WithTopology("  standbys: { s1: , s2: { upstream: s1 } }\n")).Scenario!;

        var refused = Assert.Throws<InvalidOperationException>(() => scenario.Pair);
        Assert.Equal("the topology has 2 standbys (s1, s2), so it is no pair: read its standbys from the topology", refused.Message);
        Assert.Contains("Name = t", scenario.ToString());
        Assert.Equal("harness_s1", ScenarioText.Load(WithTopology("  standbys: { s1: }\n")).Scenario!.Pair.SlotName);
    }
}
