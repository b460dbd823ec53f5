using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>The reads step as the loader reads it: its arguments, its history checks, and its background pairing.</summary>
public class ReadsStepTests
{
    private const string TwoStandbys = "version: 1\nname: t\ntopology:\n  standbys: { s1: , s2: }\nsteps:\n";

    [Fact]
    public void A_reads_step_takes_its_standbys_route_clients_tokens_and_checks()
    {
        var load = ScenarioText.Load(TwoStandbys
            + "  - reads: { on: [s2, s1], rate: 300/s, duration: 2s, route: sticky, clients: 6, tokens: true }\n"
            + "    expect: { read_your_writes: 0, monotonic_reads: detected, max_staleness: 50ms, max_failed_operations: 2.5%, max_lost_writes: 0 }\n");

        Assert.Empty(load.Errors);
        var reads = Assert.IsType<ReadsStep>(Assert.Single(load.Scenario!.Steps));
        Assert.Equal(["s2", "s1"], reads.On);
        Assert.Equal((300d, TimeSpan.FromSeconds(2), ReadRoute.Sticky, 6, true, false),
            (reads.Rate.RowsPerSecond, reads.Duration, reads.Route, reads.Clients, reads.Tokens, reads.Background));
        Assert.Equal(TimeSpan.FromSeconds(32), reads.Timeout);
        Assert.Equal(new AnomalyLimit(0, null, false), reads.Expect.ReadYourWrites);
        Assert.Equal(new AnomalyLimit(null, null, true), reads.Expect.MonotonicReads);
        Assert.Equal(TimeSpan.FromMilliseconds(50), reads.Expect.MaxStaleness);
        Assert.Equal(0.025, reads.Expect.MaxFailedOperations!.Share!.Value, 6);
        Assert.Equal(0, reads.Expect.MaxLostWrites);
    }

    [Fact]
    public void Defaults_read_every_standby_round_robin_with_four_clients_and_no_tokens()
    {
        var load = ScenarioText.Load(ScenarioText.WithSteps("  - reads: { rate: 10/s, duration: 1s }\n"));

        var reads = Assert.IsType<ReadsStep>(Assert.Single(load.Scenario!.Steps));
        Assert.Equal((null, ReadRoute.RoundRobin, 4, false), (reads.On, reads.Route, reads.Clients, reads.Tokens));
        Assert.Null(reads.Expect.ReadYourWrites);
    }

    [Fact]
    public void Wrong_values_are_refused_naming_line_and_field()
    {
        var errors = ScenarioText.Errors(TwoStandbys
            + "  - reads: { on: [s1, s9], rate: 10/s, duration: 1s, route: nearest, clients: 0 }\n"
            + "    expect: { read_your_writes: 150%, monotonic_reads: some, max_failed_operations: detected }\n");

        Assert.Equal(
        [
            "test.yaml:6:23 steps[0].reads.on[1]: 's9' is not a standby of this scenario (did you mean 's1'?); use s1 or s2",
            "test.yaml:6:61 steps[0].reads.route: 'nearest' is not a read route; use round_robin, random or sticky",
            "test.yaml:6:79 steps[0].reads.clients: 0 is out of range; use 1 to 64",
            "test.yaml:7:33 steps[0].expect.read_your_writes: 150% is more than all of them; use a share from 0% to 100%",
            "test.yaml:7:56 steps[0].expect.monotonic_reads: expected a count (0), a share (5%) or 'detected', found 'some'",
            "test.yaml:7:85 steps[0].expect.max_failed_operations: expected a count (0) or a share (5%), found 'detected'",
        ], errors);
    }

    [Fact]
    public void History_checks_belong_to_reads_steps()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps("  - insert:\n    expect: { read_your_writes: 0 }\n"));

        Assert.Equal(["test.yaml:5:15 steps[0].expect.read_your_writes: applies to 'reads' steps (a client's reads see its own acknowledged appends), not to 'insert'"], errors);
    }

    [Fact]
    public void Background_reads_must_be_collected_by_one_wait_for_reads()
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps(
            "  - wait_for_reads:\n  - reads: { rate: 10/s, duration: 1s, background: true }\n  - reads: { rate: 10/s, duration: 1s }\n"));

        Assert.Equal(
        [
            "test.yaml:4:5 steps[0]: no background reads is running here; start one with 'reads: { ..., background: true }' first",
            "test.yaml:5:5 steps[1]: the background reads is never collected; add '- wait_for_reads:' after the steps it should run beside",
            "test.yaml:6:5 steps[2]: a background reads is still running (steps[1]); add '- wait_for_reads:' before another reads",
        ], errors);
    }

    [Fact]
    public void Background_reads_run_beside_a_load_and_a_failover()
    {
        var load = ScenarioText.Load(ScenarioText.WithSteps(
            "  - reads: { rate: 10/s, duration: 2s, background: true }\n  - load: { rate: 10/s, duration: 1s }\n"
            + "  - stop_node: { node: primary, mode: immediate }\n  - promote:\n  - wait_for_reads:\n"));

        Assert.Empty(load.Errors);
        Assert.Equal(TimeSpan.FromSeconds(32), load.Scenario!.Steps[4].Timeout);
    }

    [Theory]
    [InlineData("harness_lists", "the reads steps' lists")]
    [InlineData("harness_warmup", "the warm-up writes before the first step")]
    public void A_write_step_may_not_write_the_harness_s_own_tables(string table, string use)
    {
        var errors = ScenarioText.Errors(ScenarioText.WithSteps($"  - insert: {{ table: {table} }}\n"));

        Assert.Equal([$"test.yaml:4:22 steps[0].insert.table: '{table}' is the harness's own table ({use}); choose another name"], errors);
    }
}
