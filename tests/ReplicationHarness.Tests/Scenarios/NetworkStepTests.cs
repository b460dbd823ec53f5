using ReplicationHarness.Network;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.Support;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Scenarios;

public class NetworkStepTests
{
    [Fact]
    public void Network_steps_bind_their_conditions_and_ask_for_a_proxied_pair()
    {
        var result = ScenarioText.Load(ScenarioText.WithSteps(
            "  - set_network: { latency: 40ms, jitter: 10ms, bandwidth: 256kB/s }\n  - set_network:\n  - partition:\n  - heal:\n    expect: { alerts_fired: [bytes, time] }\n  - partition: { mode: reject }\n  - heal:\n"));

        Assert.Empty(result.Errors);
        var steps = result.Scenario!.Steps;
        Assert.Equal(new LinkConditions(TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(10), new Bandwidth(256 * 1024)), Assert.IsType<SetNetworkStep>(steps[0]).Conditions);
        Assert.True(Assert.IsType<SetNetworkStep>(steps[1]).Conditions.IsClean);
        Assert.Equal(PartitionMode.Drop, Assert.IsType<PartitionStep>(steps[2]).Mode);
        Assert.Equal([AlertKind.Bytes, AlertKind.Time], Assert.IsType<HealStep>(steps[3]).Expect.AlertsFired);
        Assert.Equal(PartitionMode.Reject, Assert.IsType<PartitionStep>(steps[4]).Mode);
        Assert.True(result.Scenario.Pair.LinkProxy);
    }

    [Fact]
    public void A_scenario_without_network_steps_streams_directly()
    {
        Assert.False(ScenarioText.Load(ScenarioText.WithSteps("  - verify_pair:\n")).Scenario!.Pair.LinkProxy);
    }

    [Fact]
    public void Bad_network_arguments_are_reported_with_their_place()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - set_network: { latency: 40, bandwidth: 1MB, loss: 1% }\n  - partition: { mode: blackhole }\n  - wait: 1s\n    expect: { alerts_fired: [bytes] }\n"));

        Assert.Equal(
        [
            "test.yaml:4:29 steps[0].set_network.latency: '40' has no unit; write 40s or 40ms",
            "test.yaml:4:44 steps[0].set_network.bandwidth: '1MB' is not a positive bandwidth (use a size per second such as 1MB/s or 256kB/s)",
            "test.yaml:4:49 steps[0].set_network.loss: unknown key 'loss'; expected one of: latency, jitter, bandwidth",
            "test.yaml:5:24 steps[1].partition.mode: 'blackhole' is not a partition mode; use drop or reject",
            "test.yaml:7:15 steps[2].expect.alerts_fired: applies to 'heal' steps (alerts that fired while the link was cut), not to 'wait'; for the whole scenario use assertions.alerts_fired",
        ], errors);
    }

    [Fact]
    public void A_heal_needs_a_partition_and_a_partition_is_not_cut_twice()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - heal:\n  - partition:\n  - partition:\n  - heal:\n"));

        Assert.Equal(
        [
            "test.yaml:4:5 steps[0]: no partition to heal here; cut the link first with '- partition:'",
            "test.yaml:6:5 steps[2]: the link is already cut (steps[1]); add '- heal:' before cutting it again",
        ], errors);
    }

    [Fact]
    public void Link_conditions_describe_what_is_injected()
    {
        Assert.Equal("latency 40ms ± 10ms, bandwidth 256kB/s each way", new LinkConditions(TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(10), new Bandwidth(256 * 1024)).Describe());
        Assert.Equal("latency 5ms each way", new LinkConditions(TimeSpan.FromMilliseconds(5), TimeSpan.Zero, null).Describe());
        Assert.Equal("a clean link (no latency, no bandwidth cap)", LinkConditions.None.Describe());
    }
}
