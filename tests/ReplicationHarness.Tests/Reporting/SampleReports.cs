using ReplicationHarness.Measures;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Reporting;

/// <summary>Fixed reports, so writer output is the same on every run and every machine.</summary>
internal static class SampleReports
{
    public static RunReport TwoScenarios(double ttvScale = 1, Verdict secondStatus = Verdict.Failed) => new(
        RunReport.CurrentSchemaVersion, "0.1.0", new DateTimeOffset(2026, 11, 25, 18, 0, 0, TimeSpan.Zero), 5210.5, secondStatus == Verdict.Passed ? Verdict.Passed : Verdict.Failed,
        [Passed(ttvScale), Delayed(secondStatus)]);

    /// <summary>The two scenarios, the first with a reads history: a fresh read on s1 and one on s2 that missed an append.</summary>
    public static RunReport WithReads()
    {
        var history = new History.HistoryScript()
            .Append(1, 1, 10, 0, 1).Read(1, 1, [10], 2, 3, node: "s1")
            .Append(1, 1, 11, 4, 5).Read(1, 1, [10], 26, 27, node: "s2")
            .Entries;
        var report = TwoScenarios();
        return report with { Scenarios = [report.Scenarios[0] with { Reads = ReadsReport.Of("single-insert", history) }, report.Scenarios[1]] };
    }

    private static ScenarioReport Passed(double scale) => new(
        "single-insert", "/checkout/scenarios/single-insert.yaml", Verdict.Passed, 141.2,
        Pair(),
        [
            new StepReport(0, "verify_pair", "verify_pair", Verdict.Passed, 65.1, 52.3, "all 9 criteria hold", [new AssertionResult("slot active", Phrase.Plain("holds"), Phrase.Free("slot 'harness_standby' (physical) active=true"), null, Verdict.Passed)]),
            new StepReport(1, "insert", "insert", Verdict.Passed, 117.4, 20.1, "insert of 1 row visible after 345us (probe interval 345us)",
                [new AssertionResult("visible_within", Phrase.Of($"<= {Exact(TimeSpan.FromSeconds(1))}"), Phrase.Of($"max {Fine(345)} over {Phrase.Counted(1, "write")}"), Fine(999_655), Verdict.Passed)]),
            new StepReport(2, "wait_for_catchup", "wait_for_catchup", Verdict.Passed, 137.5, 0.6, "caught up in 0.6 ms", []),
        ],
        [
            new AssertionResult("max_lag_bytes", Phrase.Of($"<= {Exact(new ByteSize(10 * 1024 * 1024))}"), Phrase.Of($"max {Measured(new ByteSize(312))} at {Seconds(TimeSpan.FromMilliseconds(117))} over {Count(17)} samples"),
                Exact(new ByteSize(10 * 1024 * 1024)), Verdict.Passed),
            new AssertionResult("alert not fired: stall", Phrase.Plain("never fires"), Phrase.Of($"never fired in {Count(17)} samples"), null, Verdict.Passed),
        ],
        new VisibilityStatistics(3, 345 * scale, 512 * scale, 512 * scale, 512 * scale, 300),
        [
            new WriteReport(1, 1, "insert", 1, 345 * scale, 300, 420, 1, "0/3029FE0", "0/302A128"),
            new WriteReport(2, 1, "insert", 1, 512 * scale, 300, 600, 2, "0/302A200", "0/302A300"),
            new WriteReport(3, 1, "insert", 1, 140 * scale, 120, 200, 1, "0/302A400", "0/302A500"),
        ],
        [],
        new ObserverReport(10, 10 * 1024 * 1024, 5000, true),
        [new LagPoint(0, 0, 0, "0/3000000", "0/3000000", "0/3000000", false, "streaming"), new LagPoint(10.5, 312, 4.2, "0/3000138", "0/3000138", "0/3000000", false, "streaming"), new LagPoint(21, 0, 0, "0/3000138", "0/3000138", "0/3000138", false, "streaming")],
        null,
        new LagStatistics(3, 0, 312, 312, 312, 0, 4.2, 4.2, 4.2));

    private static ScenarioReport Delayed(Verdict status) => new(
        "simulated-delay", "/checkout/scenarios/simulated-delay.yaml", status, 3840,
        Pair(),
        [
            new StepReport(0, "insert", "insert", status, 10, 2004.7, "insert of 1 row visible after 2004.7ms (probe interval 3765us)",
            [
                new AssertionResult("visible_not_before", Phrase.Of($">= {Exact(TimeSpan.FromSeconds(2))}"), Phrase.Of($"min {Fine(2_004_900)} from sending the commit, over {Phrase.Counted(1, "write")}"),
                    Measured(TimeSpan.FromMilliseconds(4.9)), Verdict.Passed),
                new AssertionResult("visible_within", Phrase.Of($"<= {Exact(TimeSpan.FromSeconds(1))}"), Phrase.Of($"max {Fine(2_004_700)} over {Phrase.Counted(1, "write")}"), Fine(-1_004_700),
                    status == Verdict.Passed ? Verdict.Passed : Verdict.Failed),
            ]),
            new StepReport(1, "wait", "wait", status == Verdict.Passed ? Verdict.Passed : Verdict.Skipped, 2015, 0, "skipped: an earlier step did not pass", []),
        ],
        [new AssertionResult("alert fired: time", Phrase.Plain("fires at least once"),
            Phrase.Of($"fired at {Seconds(TimeSpan.FromMilliseconds(1339))}, cleared at {Seconds(TimeSpan.FromMilliseconds(2341))} (peak {Seconds(TimeSpan.FromMilliseconds(1995))})"), null, Verdict.Passed)],
        new VisibilityStatistics(1, 2_004_700, 2_004_700, 2_004_700, 2_004_700, 3765),
        [new WriteReport(1, 0, "insert", 1, 2_004_700, 3765, 2_004_900, 40, "0/3030000", "0/3030100")],
        [new AlertReport("time", 1339, 2341, Seconds(TimeSpan.FromMilliseconds(1995)))],
        new ObserverReport(10, 10 * 1024 * 1024, 1000, true),
        [new LagPoint(0, 0, 0, "0/3030000", "0/3030000", "0/3030000", false, "streaming"), new LagPoint(1500, 40, 1500, "0/3030100", "0/3030100", "0/3030000", false, "streaming"), new LagPoint(2500, 0, 0, "0/3030100", "0/3030100", "0/3030100", false, "streaming")],
        null,
        null,
        [
            new FaultReport(0, "set_apply_delay", 4.5, Verdict.Passed, "recovery_min_apply_delay = 2s in effect after 3 ms"),
            new FaultReport(null, "restore", 3838.2, Verdict.Passed, "removed latency 40ms ± 10ms each way"),
        ]);

    private static PairReport Pair() => new(
        "local", "15.18", 389.4,
        new Dictionary<string, double> { ["template copy"] = 41, ["base backup"] = 114 },
        new Dictionary<string, string> { ["wal_level"] = "replica" },
        new Dictionary<string, string> { ["promote_trigger_file"] = "/tmp/replication-harness-root/runs/20261125-180000-abcdef/standby.promote" },
        new ConfigurationFingerprint(
            new Dictionary<string, string> { ["fsync"] = "on", ["server_version"] = "15.18 (Debian 15.18-0+deb12u1)" },
            new Dictionary<string, string> { ["hot_standby_feedback"] = "on" },
            "ext4 disk",
            []));
}
