using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Containers;
using ReplicationHarness.Provisioning.External;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>Faults need a pair the harness owns: the others refuse before anything starts, saying which step and why.</summary>
public class FaultRefusalTests
{
    [Fact]
    public void An_external_pair_refuses_network_and_promotion_steps_even_with_allow_destructive()
    {
        var scenario = ScenarioText.Load(ScenarioText.WithSteps("  - set_network: { latency: 10ms }\n  - partition:\n  - heal:\n  - promote:\n")).Scenario!;

        var problems = ExternalSafety.Check(scenario, allowDestructive: true);

        Assert.Equal(
        [
            "steps[3] promote: the harness does not own an external pair's servers and cannot promote the standby; run this scenario on a local pair",
            "steps[0] set_network: network faults need the standby to stream through the harness's proxy, which an external pair does not; run this scenario on a local pair",
            "steps[1] partition: network faults need the standby to stream through the harness's proxy, which an external pair does not; run this scenario on a local pair",
            "steps[2] heal: network faults need the standby to stream through the harness's proxy, which an external pair does not; run this scenario on a local pair",
        ], problems);
    }

    [Theory]
    [InlineData("pair:\n  standby: { settings: { hot_standby_feedback: off } }\n", "standby")]
    [InlineData("topology:\n  primary: { settings: { wal_keep_size: 1GB } }\n  standbys: { s1: , s2: { settings: { hot_standby: on } } }\n", "primary and s2")]
    public void An_external_pair_refuses_server_settings_naming_the_nodes_that_have_them(string servers, string nodes)
    {
        var scenario = ScenarioText.Load($"version: 1\nname: t\n{servers}steps:\n  - verify_pair:\n").Scenario!;

        Assert.Equal(
            [$"settings for {nodes}: an external pair is configured by its owners, not by the harness; remove the settings or run on a local pair"],
            ExternalSafety.Check(scenario, allowDestructive: false));
    }

    [Fact]
    public async Task The_testcontainers_provisioner_refuses_a_proxied_link_before_looking_for_an_engine()
    {
        var error = await Assert.ThrowsAsync<ProvisioningException>(() =>
            new TestcontainersProvisioner(TestcontainersOptions.Default).ProvisionAsync(PairSpec.Default with { LinkProxy = true }));

        Assert.Equal("network faults (set_network, partition, heal) need a local pair", error.Message);
        Assert.Equal("run this scenario with --provisioner local", error.Fix);
    }
}
