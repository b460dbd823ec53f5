using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Containers;
using ReplicationHarness.Provisioning.External;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>What provisioning a topology decides without a server: names, settings, sync states, and who refuses it.</summary>
public class TopologyProvisioningTests
{
    private static readonly ServerHost Local15 = new("127.0.0.1", 15) { PromoteTriggerDirectory = "/run/x" };

    private static StandbySpec Standby(string name, string upstream = TopologySpec.PrimaryName) =>
        new(name, upstream, StandbySpec.DefaultSlotName(name), NodeSpec.Empty);

    private static TopologySpec ThreeStandbys(SynchronousStandbys? sync = null, bool linkProxy = false) =>
        new(ProvisionerKind.Local, NodeSpec.Empty, [Standby("s1"), Standby("s2"), Standby("s3", "s1")], sync, linkProxy);

    private static PairBootstrap Bootstrap(TopologySpec topology) => new(topology, Local15, "SuperSecret1", "ReplSecret2");

    [Theory]
    [InlineData(SyncMethod.Any, 1, new[] { "s1", "s2" }, "ANY 1 (s1, s2)")]
    [InlineData(SyncMethod.First, 1, new[] { "s2", "s1" }, "FIRST 1 (s2, s1)")]
    [InlineData(SyncMethod.First, 2, new[] { "s1", "s2" }, "FIRST 2 (s1, s2)")]
    public void Synchronous_standby_names_is_rendered_from_the_topology_and_held_back_until_streaming(SyncMethod method, int count, string[] names, string expected)
    {
        var bootstrap = Bootstrap(ThreeStandbys(new SynchronousStandbys(method, count, names)));

        Assert.Equal(expected, bootstrap.PrimarySettings["synchronous_standby_names"]);
        Assert.False(bootstrap.PrimaryStartSettings.ContainsKey("synchronous_standby_names"));
        Assert.Equal(expected, ServerDefaults.OnceStreaming(bootstrap.PrimarySettings)["synchronous_standby_names"]);
    }

    [Fact]
    public void Synchronous_standby_names_lists_application_names_and_the_pair_keeps_its_bare_name()
    {
        var any = ThreeStandbys(new SynchronousStandbys(SyncMethod.Any, 1, ["s1", "s2"]));
        var renamed = any with { Standbys = [any.Standbys[0] with { ApplicationName = "app_one" }, .. any.Standbys.Skip(1)] };
        var pair = TopologySpec.FromPair(PairSpec.Default with { Replication = ReplicationMode.Sync });

        Assert.Equal("ANY 1 (app_one, s2)", renamed.SynchronousStandbyNames);
        Assert.Equal("harness_standby", pair.SynchronousStandbyNames);
        Assert.True(pair.IsPairShorthand);
        Assert.Null(ThreeStandbys().SynchronousStandbyNames);
        Assert.False(ThreeStandbys().IsPairShorthand);
    }

    [Fact]
    public void Each_standby_connects_with_its_own_name_and_gets_its_own_promote_trigger_file()
    {
        var bootstrap = Bootstrap(ThreeStandbys());
        var s3 = bootstrap.Topology.Standby("s3");

        Assert.Equal("host=127.0.0.1 port=6001 user=harness_replicator application_name=s3", bootstrap.ConninfoOf(s3, "127.0.0.1", 6001));
        Assert.Equal("/run/x/s3.promote", bootstrap.SettingsOf(s3)["promote_trigger_file"]);
        Assert.Equal("/run/x/standby.promote", Bootstrap(TopologySpec.FromPair(PairSpec.Default)).StandbySettings["promote_trigger_file"]);
        Assert.Equal(
            "127.0.0.1:5432:*:harness_replicator:ReplSecret2\n127.0.0.1:6001:*:harness_replicator:ReplSecret2\n",
            bootstrap.Passfile([("127.0.0.1", 5432), ("127.0.0.1", 6001)]));
    }

    [Fact]
    public void Sync_states_follow_the_rule_first_n_sync_the_rest_potential_any_quorum()
    {
        var first = new SynchronousStandbys(SyncMethod.First, 1, ["s2", "s1"]);
        var any = new SynchronousStandbys(SyncMethod.Any, 1, ["s1", "s2"]);

        Assert.Equal(("sync", "potential", (string?)null), (first.SyncStateOf("s2"), first.SyncStateOf("s1"), first.SyncStateOf("s3")));
        Assert.Equal(("quorum", "quorum"), (any.SyncStateOf("s1"), any.SyncStateOf("s2")));
    }

    [Fact]
    public async Task Testcontainers_refuses_several_standbys_before_looking_for_an_engine()
    {
        var error = await Assert.ThrowsAsync<ProvisioningException>(() =>
            new TestcontainersProvisioner(TestcontainersOptions.Default).ProvisionAsync(ThreeStandbys()));

        Assert.Equal("the testcontainers provisioner makes one standby, but the topology has 3 (s1, s2, s3)", error.Message);
        Assert.Equal("run a topology of several standbys with --provisioner local, or keep one standby", error.Fix);
        Assert.Contains("one standby container", error.Details);
    }

    [Fact]
    public async Task The_external_provisioner_refuses_several_standbys_before_connecting()
    {
        // Port 1 answers nothing: had it tried to connect, the error would be a connection failure.
        var nowhere = new NodeEndpoint(NodeRole.Primary, "127.0.0.1", 1, "postgres", "postgres", "");
        var options = new ExternalPairOptions(nowhere, nowhere with { Role = NodeRole.Standby }, AllowDestructive: false);

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => new ExternalProvisioner(options).ProvisionAsync(ThreeStandbys()));

        Assert.Equal("the external provisioner makes one standby, but the topology has 3 (s1, s2, s3)", error.Message);
        Assert.Contains("--primary and --standby", error.Details);
    }

    [Fact]
    public async Task A_link_proxy_for_several_standbys_is_refused_before_anything_is_made()
    {
        var work = Path.Combine(Path.GetTempPath(), $"rh-topology-refusal-{Guid.NewGuid():N}");
        var provisioner = new LocalProvisioner(LocalProvisionerOptions.Default with { WorkDirectory = work });

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => provisioner.ProvisionAsync(ThreeStandbys(linkProxy: true)));

        Assert.Equal("the link proxy for network faults (set_network, partition, heal) makes one standby, but the topology has 3 (s1, s2, s3)", error.Message);
        Assert.Equal("keep one standby in a scenario with network steps, or drop the network steps", error.Fix);
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void Standbys_are_built_in_tiers_from_the_primary_down_the_cascades()
    {
        var chain = new TopologySpec(ProvisionerKind.Local, NodeSpec.Empty, [Standby("s3", "s2"), Standby("s1"), Standby("s2", "s1"), Standby("s4")], null);

        var tiers = LocalStandbyBuilder.Tiers(chain);

        Assert.Equal([["s1", "s4"], ["s2"], ["s3"]], tiers.Select(t => t.Select(s => s.Name).ToArray()).ToArray());
    }

    [Fact]
    public async Task A_standby_whose_upstream_is_missing_is_refused_before_anything_is_made()
    {
        var work = Path.Combine(Path.GetTempPath(), $"rh-topology-refusal-{Guid.NewGuid():N}");
        var orphan = new TopologySpec(ProvisionerKind.Local, NodeSpec.Empty, [Standby("s1"), Standby("s2", "s9")], null);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new LocalProvisioner(LocalProvisionerOptions.Default with { WorkDirectory = work }).ProvisionAsync(orphan));

        Assert.StartsWith("standbys that reach the primary through no chain of upstreams: s2 (from s9)", error.Message);
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void A_pair_that_lists_no_standbys_has_the_one_its_standby_properties_describe()
    {
        var pair = StubPair.Create(ProvisionerKind.External, running: true);

        var standby = Assert.Single(pair.Standbys);
        Assert.Equal(("standby", "primary", pair.Standby, "s", "a"), (standby.Name, standby.Upstream, standby.Endpoint, standby.SlotName, standby.ApplicationName));
        Assert.Equal(["primary", "standby"], pair.NodeNames);
        Assert.Equal(("primary", "standby"), (pair.NodeName(NodeRole.Primary), pair.NodeName(NodeRole.Standby)));
    }
}
