using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>
/// <c>host:</c> on a node: a topology across hosts, whose nodes name the cluster workers they run on. Each rule has a
/// test asserting the message a user reads; the provisioners of one machine refuse such a topology before starting anything.
/// </summary>
public class HostedTopologyTests
{
    private static string WithTopology(string topology) => "version: 1\nname: t\ntopology:\n" + topology + "steps:\n  - verify_pair:\n";

    [Fact]
    public void Each_node_names_the_worker_it_runs_on()
    {
        var topology = ScenarioText.Load(WithTopology("""
              primary: { host: worker-a, settings: { wal_keep_size: 64MB } }
              standbys:
                s1: { host: "worker-b:4053" }
                s2: { upstream: s1, host: worker-a }

            """)).Scenario!.Topology;

        Assert.True(topology.IsHosted);
        Assert.Equal([("primary", "worker-a"), ("s1", "worker-b:4053"), ("s2", "worker-a")], topology.Hosts);
        Assert.Equal("64MB", topology.Primary.Settings["wal_keep_size"]);
    }

    [Fact]
    public void A_topology_without_hosts_is_not_hosted_and_keeps_its_nodes()
    {
        var topology = ScenarioText.Load(WithTopology("  standbys: { s1: }\n")).Scenario!.Topology;

        Assert.False(topology.IsHosted);
        Assert.Empty(topology.Hosts);
        Assert.Same(NodeSpec.Empty, topology.Standbys[0].Node);
    }

    [Fact]
    public void The_pair_shorthand_takes_hosts_too()
    {
        var topology = ScenarioText.Load("version: 1\nname: t\npair:\n  primary: { host: a }\n  standby: { host: b }\nsteps:\n  - verify_pair:\n").Scenario!.Topology;

        Assert.Equal([("primary", "a"), ("standby", "b")], topology.Hosts);
    }

    [Fact]
    public void Once_one_node_names_a_worker_every_node_must()
    {
        var errors = ScenarioText.Errors(WithTopology("  primary: { host: a }\n  standbys:\n    s1:\n    s2: { host: b }\n"));

        Assert.Equal(["test.yaml:6:5 topology.standbys.s1: s1 names no worker, but primary runs on 'a': in a topology across hosts every node says where it runs; add 'host: WORKER' (a worker's --name)"], errors);
    }

    [Fact]
    public void A_primary_without_a_host_beside_placed_standbys_is_named()
    {
        var errors = ScenarioText.Errors(WithTopology("  standbys:\n    s1: { host: b }\n"));

        Assert.Equal(["test.yaml:4:3 topology.primary: primary names no worker, but s1 runs on 'b': in a topology across hosts every node says where it runs; add 'host: WORKER' (a worker's --name)"], errors);
    }

    [Fact]
    public void Hosts_are_for_local_servers_only()
    {
        var errors = ScenarioText.Errors(WithTopology("  provisioner: testcontainers\n  primary: { host: a }\n  standbys:\n    s1: { host: b }\n"));

        Assert.Equal(["test.yaml:4:16 topology.provisioner: nodes placed on workers ('host:') are local servers of those workers; use provisioner: local, or drop 'host:'"], errors);
    }

    [Fact]
    public void A_host_that_cannot_be_a_worker_name_is_refused()
    {
        var errors = ScenarioText.Errors(WithTopology("  primary: { host: \"worker a\" }\n  standbys:\n    s1: { host: b }\n"));

        Assert.Contains("test.yaml:4:20 topology.primary.host: 'worker a' is not a worker's name; use the name a worker was started with (worker --name), letters, digits and . _ : -", errors);
    }

    [Fact]
    public void Failovers_are_refused_where_written_on_a_topology_across_hosts_and_network_faults_are_not()
    {
        var errors = ScenarioText.Errors("version: 1\nname: t\ntopology:\n  primary: { host: a }\n  standbys:\n    s1: { host: b }\n"
            + "steps:\n  - verify_pair:\n  - set_network: { latency: 5ms }\n  - reclone: { node: s1 }\n  - promote:\n");

        Assert.Equal(
        [
            "test.yaml:10:5 steps[2].reclone: 'reclone' is not run on a topology across hosts yet (a failover would re-point nodes across workers); drop the nodes' 'host:' to run it on one machine",
            "test.yaml:11:5 steps[3].promote: 'promote' is not run on a topology across hosts yet (a failover would re-point nodes across workers); drop the nodes' 'host:' to run it on one machine",
        ], errors);
    }

    [Fact]
    public async Task The_local_provisioner_refuses_a_topology_across_hosts_before_starting_anything()
    {
        var topology = ScenarioText.Load(WithTopology("  primary: { host: a }\n  standbys:\n    s1: { host: b }\n")).Scenario!.Topology;
        var work = Directory.CreateTempSubdirectory("rh-hosted-");
        try
        {
            var provisioner = new LocalProvisioner(LocalProvisionerOptions.Default with { WorkDirectory = work.FullName });

            var refused = await Assert.ThrowsAsync<ProvisioningException>(() => provisioner.ProvisionAsync(topology, null, CancellationToken.None));

            Assert.Equal("the local provisioner makes every node on this machine, but the topology places its nodes on workers (primary on a, s1 on b)", refused.Message);
            Assert.Contains("run --cluster", refused.Fix, StringComparison.Ordinal);
            Assert.Empty(work.EnumerateFileSystemInfos());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
