using ReplicationHarness.Actors;
using ReplicationHarness.Assertions;
using ReplicationHarness.Measures;
using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Assertions;

public class ScenarioAssertionJudgeTests
{
    private static Scenario Scenario() => ScenarioLoader.Load("judged.yaml", System.Text.Encoding.UTF8.GetBytes(
        "version: 1\nname: judged\nsteps:\n  - wait: 1s\nassertions:\n  max_lag_bytes: 1MB\n  max_lag_time: 1s\n  alerts_not_fired: [bytes]\n  alerts_fired: [time]\n")).Scenario!;

    private static LagSample Sample(double seconds) =>
        new(TimeSpan.FromSeconds(seconds), new Lsn(0x3000000), new Lsn(0x3000000), new Lsn(0x2FFF000), false, "streaming", 4096, TimeSpan.FromMilliseconds(3));

    private static readonly AlertInterval TimeAlert = new(AlertKind.Time, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.6), Seconds(TimeSpan.FromSeconds(2)));

    [Fact]
    public void Lag_limits_hold_over_the_samples_when_every_reading_arrived()
    {
        var report = new LagObserverProtocol.LagReport([Sample(0.1), Sample(0.2)], [TimeAlert], []);

        var results = ScenarioAssertionJudge.Judge(Scenario(), report, null, ranToTheEnd: true);

        Assert.All(results, r => Assert.Equal(Verdict.Passed, r.Status));
        var bytes = results.Single(r => r.Name == "max_lag_bytes");
        Assert.Equal(Phrase.Of($"max {Measured(new ByteSize(4096))} at {Seconds(TimeSpan.FromSeconds(0.1))} over {Count(2)} samples"), bytes.Observed);
        Assert.Equal(Exact(new ByteSize((1 << 20) - 4096)), bytes.Margin);
        Assert.Equal(Seconds(TimeSpan.FromMilliseconds(997)), results.Single(r => r.Name == "max_lag_time").Margin);
    }

    [Fact]
    public void With_several_standbys_every_one_is_held_to_the_limits_and_the_worst_names_its_standby()
    {
        // s2 lags 2 MB at 0.2s; s1 stays at 4 kB.
        var report = new LagObserverProtocol.LagReport(
            [Sample(0.1) with { Standby = "s1" }, Sample(0.1) with { Standby = "s2" }, Sample(0.2) with { Standby = "s1" }, Sample(0.2) with { Standby = "s2", LagBytes = 2 << 20 }],
            [TimeAlert with { Standby = "s2" }], []);

        var results = ScenarioAssertionJudge.Judge(Scenario(), report, null, ranToTheEnd: true).ToDictionary(r => r.Name);

        Assert.Equal(Verdict.Failed, results["max_lag_bytes"].Status);
        Assert.Equal("max 2MB on s2 at 0.2s over 4 samples", MeasureText.Format(results["max_lag_bytes"].Observed));
        Assert.Equal("s2: fired at 0.5s, cleared at 0.6s (peak 2s)", MeasureText.Format(results["alert fired: time"].Observed));
        Assert.Equal(Verdict.Passed, results["alert fired: time"].Status);
    }

    [Fact]
    public void Two_nodes_accepting_writes_fail_the_scenario_and_a_promoting_scenario_is_always_checked_for_it()
    {
        var promoting = ScenarioLoader.Load("promoting.yaml", System.Text.Encoding.UTF8.GetBytes(
            "version: 1\nname: promoting\nsteps:\n  - stop_node: { node: primary, mode: immediate }\n  - promote:\n")).Scenario!;
        var clean = new LagObserverProtocol.LagReport([Sample(0.1)], [], []) { Readings = 12 };
        var split = clean with { SplitBrain = [new SplitBrainInterval(TimeSpan.FromSeconds(1.5), null, ["primary", "s2"]), new SplitBrainInterval(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.5), ["primary", "s1"])] };

        var held = Assert.Single(ScenarioAssertionJudge.Judge(promoting, clean, null, ranToTheEnd: true), r => r.Name == "single writable node");
        Assert.Equal(Verdict.Passed, held.Status);
        Assert.Equal("no reading found two nodes accepting writes (12 readings)", MeasureText.Format(held.Observed));
        var broken = Assert.Single(ScenarioAssertionJudge.Judge(Scenario(), split, null, ranToTheEnd: true), r => r.Name == "single writable node");
        Assert.Equal(Verdict.Failed, broken.Status);
        Assert.Equal("split brain: primary and s2 accepted writes at once from 1.5s to the end, and 1 time more", MeasureText.Format(broken.Observed));
        var unknown = Assert.Single(ScenarioAssertionJudge.Judge(promoting, clean with { Unanswered = new Dictionary<string, int> { ["standby"] = 4 } }, null, ranToTheEnd: true),
            r => r.Name == "single writable node");
        Assert.Equal("no reading found two nodes accepting writes (12 readings; standby did not answer in 4 of them)", MeasureText.Format(unknown.Observed));
        var unread = Assert.Single(ScenarioAssertionJudge.Judge(promoting, clean with { Readings = 0 }, null, ranToTheEnd: true), r => r.Name == "single writable node");
        Assert.Equal(Verdict.Failed, unread.Status);
        // A scenario that neither promotes nor saw a split brain is not burdened with the check.
        Assert.DoesNotContain(ScenarioAssertionJudge.Judge(Scenario(), clean, null, ranToTheEnd: true), r => r.Name == "single writable node");
    }

    [Fact]
    public void A_reading_that_failed_leaves_lag_unknown_and_fails_every_never_above_claim_saying_why()
    {
        var report = new LagObserverProtocol.LagReport([Sample(0.1), Sample(0.4)], [TimeAlert], [TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(0.3)], "57P01: terminating connection");

        var results = ScenarioAssertionJudge.Judge(Scenario(), report, null, ranToTheEnd: true).ToDictionary(r => r.Name);

        foreach (var name in new[] { "max_lag_bytes", "max_lag_time", "alert not fired: bytes" })
        {
            Assert.Equal(Verdict.Failed, results[name].Status);
            Assert.EndsWith("; but lag is unknown for 2 readings between 0.2s and 0.3s: the primary could not be read (57P01: terminating connection)", MeasureText.Format(results[name].Observed));
        }
        // An alert that did fire is a fact whatever else went unmeasured.
        Assert.Equal(Verdict.Passed, results["alert fired: time"].Status);
    }

    [Fact]
    public void Readings_that_fail_once_the_scenario_stopped_the_primary_have_nothing_to_measure()
    {
        var report = new LagObserverProtocol.LagReport([Sample(0.1)], [TimeAlert], [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.6)]);

        var results = ScenarioAssertionJudge.Judge(Scenario(), report, null, ranToTheEnd: true, primaryDown: [(TimeSpan.FromSeconds(0.45), null)]);

        Assert.All(results, r => Assert.Equal(Verdict.Passed, r.Status));
    }

    [Fact]
    public void Readings_that_fail_after_the_primary_was_started_again_leave_lag_unknown()
    {
        var report = new LagObserverProtocol.LagReport([Sample(0.1)], [TimeAlert], [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.9)], "connection refused");

        var results = ScenarioAssertionJudge.Judge(Scenario(), report, null, ranToTheEnd: true, primaryDown: [(TimeSpan.FromSeconds(0.45), TimeSpan.FromSeconds(0.6))]);

        var bytes = results.Single(r => r.Name == "max_lag_bytes");
        Assert.Equal((Verdict.Failed, (Measure?)null), (bytes.Status, bytes.Margin));
        Assert.EndsWith("lag is unknown for 1 reading between 0.9s and 0.9s: the primary could not be read (connection refused)", MeasureText.Format(bytes.Observed));
    }
}
