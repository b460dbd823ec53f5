using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>Every shipped scenario through the entry point users call, and repeated so a flaky pass would show.</summary>
public sealed class ShippedScenarioTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static readonly string[] Seeds =
        new[] { "single-insert.yaml", "bulk-insert-update.yaml", "simulated-delay.yaml" }.Select(f => Path.Combine(RepositoryRoot.Scenarios, f)).ToArray();

    private async Task<(int Code, string Output, RunReport Report)> RunAsync(params string[] arguments)
    {
        var (code, output, report, _) = await HarnessCli.RunWithReportAsync(_work.Path, arguments);
        return (code, output, report);
    }

    [Fact]
    public async Task Every_shipped_scenario_passes_through_run()
    {
        var (code, output, report) = await RunAsync(RepositoryRoot.Scenarios);

        Assert.True(code == ExitCodes.Success, output);
        Assert.Equal(Verdict.Passed, report.Status);
        Assert.Equal(ShippedScenarios.Loaded.Select(s => s.Name).Order(StringComparer.Ordinal), report.Scenarios.Select(s => s.Name));
        Assert.All(report.Scenarios, s =>
        {
            Assert.Equal(Verdict.Passed, s.Status);
            Assert.All(s.Steps, step => Assert.Equal(Verdict.Passed, step.Status));
            Assert.NotEmpty(s.Assertions);
            Assert.All(s.Assertions, a => Assert.Equal(ReplicationHarness.Results.Verdict.Passed, a.Status));
            // Time to visible is measured exactly where a step expects visibility.
            var expectsVisibility = ShippedScenarios.Loaded.Single(l => l.Name == s.Name).Steps.Any(step => step.Expect is { VisibleWithin: not null } or { VisibleNotBefore: not null });
            Assert.Equal(expectsVisibility, s.TimeToVisible is not null);
            Assert.NotEmpty(s.Lag);
            Assert.Equal("verify_pair", s.Steps[0].Action);
            // Ten criteria for each standby.
            Assert.Equal(10 * ShippedScenarios.Loaded.Single(l => l.Name == s.Name).Topology.Standbys.Count, s.Steps[0].Checks.Count);
        });

        var delay = report.Scenarios.Single(s => s.Name == "simulated-delay");
        Assert.InRange(delay.TimeToVisible!.P50, 2_000_000, 3_000_000);
        var alert = Assert.Single(delay.Alerts);
        Assert.Equal("time", alert.Kind);
        Assert.NotNull(alert.ClearedAtMs);

        var stall = report.Scenarios.Single(s => s.Name == "replay-stall");
        Assert.Equal(["stall"], stall.Alerts.Select(a => a.Kind));
        var restart = report.Scenarios.Single(s => s.Name == "standby-restart");
        Assert.StartsWith("killed the standby's postmaster", restart.Steps[3].Detail);
        Assert.StartsWith("wrote ", restart.Steps[7].Detail);
        Assert.StartsWith("caught up in", restart.Steps[8].Detail);
        var sync = report.Scenarios.Single(s => s.Name == "sync-replication");
        Assert.Equal("sync", MeasureText.Format(sync.Steps[1].Checks.Single().Observed));
        var failover = report.Scenarios.Single(s => s.Name == "failover-sync");
        Assert.StartsWith("promoted with pg_promote() in ", failover.Steps[4].Detail);
        Assert.Contains("now on timeline 2", failover.Steps[4].Detail);
        Assert.Matches(@"all [\d,]+ acknowledged writes \([\d,]+ rows\) present on the new primary", failover.Steps[4].Detail);
        Assert.Equal(["promoted_within", "max_lost_writes"], failover.Steps[4].Checks.Select(c => c.Name));
        Assert.Contains("ended early: the primary was stopped (immediate) by steps[3]", failover.Steps[5].Detail);
        var trigger = report.Scenarios.Single(s => s.Name == "failover-async");
        Assert.StartsWith("promoted with promote_trigger_file in ", trigger.Steps[4].Detail);
        var cascade = report.Scenarios.Single(s => s.Name == "cascade");
        // Every probed write seen on both standbys of the cascade, and each one's lag and time to visible reported.
        Assert.Equal(cascade.Writes.Count(w => w.Standby == "s1"), cascade.Writes.Count(w => w.Standby == "s2"));
        Assert.Equal(["s1", "s2"], cascade.TimeToVisibleByStandby!.Select(t => t.Standby));
        Assert.Equal(["s1", "s2"], cascade.LagPercentilesByStandby!.Select(l => l.Standby));
        var quorum = report.Scenarios.Single(s => s.Name == "quorum-sync");
        Assert.Equal(["s2"], quorum.Writes.Where(w => w.Step == 4).Select(w => w.Standby).Distinct());
        var network = report.Scenarios.Single(s => s.Name == "network-faults");
        Assert.True(network.Writes.Single(w => w.Step == 2).MicrosecondsSinceSent >= 30_000);
        Assert.StartsWith("link cut (drop: nothing crosses, 1 connection held open)", network.Steps[8].Detail);
        Assert.Matches(@"^link healed after 2(\.\d+)?s cut \(drop\); 0B crossed to the standby meanwhile; alerts while cut: bytes, time", network.Steps[10].Detail);
        Assert.Equal(["set_network", "set_network", "set_network", "partition", "heal"], network.Faults!.Select(f => f.Action));
        // Bytes and time fire while the link is cut; stall may too (nothing received for its stall_after of the
        // 2 s cut, depending on when the last bytes crossed): its firing is no fault of the pair.
        Assert.Subset(network.Alerts.Select(a => a.Kind).ToHashSet(), new HashSet<string> { "bytes", "time" });
        Assert.Empty(network.Alerts.Select(a => a.Kind).Except(["bytes", "time", "stall"]));
        var load = report.Scenarios.Single(s => s.Name == "sustained-load");
        Assert.True(load.Writes.Count >= 10, $"{load.Writes.Count} probed batches");

        var bulk = report.Scenarios.Single(s => s.Name == "bulk-insert-update");
        Assert.Equal(["insert", "insert", "update"], bulk.Writes.Select(w => w.Kind));
        Assert.Equal([1, 100, 101], bulk.Writes.Select(w => w.Rows));
        Assert.Contains(bulk.Assertions, a => a.Name == "contents_equal" && MeasureText.Format(a.Observed) == "101 rows in 1 table identical");

        // Reads: stale reads without tokens are counted, detected once replay is behind, and gone with tokens.
        var ryw = report.Scenarios.Single(s => s.Name == "read-your-writes");
        Assert.Equal(["read-your-writes.history.jsonl", "read-your-writes.history.edn"], ryw.Reads!.HistoryFiles);
        Assert.Matches(@"^[1-9]\d* of [1-9]\d* reads judged broke it", MeasureText.Format(ryw.Steps[3].Checks.Single(c => c.Name == "read_your_writes").Observed));
        Assert.Matches(@"^0 of [1-9]\d* reads judged broke it$", MeasureText.Format(ryw.Steps[4].Checks.Single(c => c.Name == "read_your_writes").Observed));
        var monotonic = report.Scenarios.Single(s => s.Name == "monotonic-reads");
        Assert.Matches(@"^[1-9]\d* of [1-9]\d* reads judged broke it; .* on s2\) missed", MeasureText.Format(monotonic.Steps[2].Checks.Single(c => c.Name == "monotonic_reads").Observed));
        Assert.Matches(@"^0 of [1-9]\d* reads judged broke it$", MeasureText.Format(monotonic.Steps[3].Checks.Single(c => c.Name == "monotonic_reads").Observed));
        var readsFailover = report.Scenarios.Single(s => s.Name == "stale-reads-during-failover");
        var collected = readsFailover.Steps.Single(s => s.Action == "wait_for_reads");
        Assert.Matches(@"^0 of [1-9]\d* acknowledged appends missing on the primary$", MeasureText.Format(collected.Checks.Single(c => c.Name == "max_lost_writes").Observed));
        Assert.Equal(["max_failed_operations", "read_your_writes", "monotonic_reads", "max_lost_writes"], collected.Checks.Select(c => c.Name));
        // Appends went on after the failover: the promoted standby acknowledged some, and they are on it.
        Assert.Matches(@" appends acknowledged \([\d,]+ by primary, [1-9][\d,]* by standby\)", collected.Detail);

        Assert.Contains("single-insert", output);
        var directory = Path.GetDirectoryName(Directory.GetFiles(_work.Path, "report.json", SearchOption.AllDirectories).First())!;
        var junit = System.Xml.Linq.XDocument.Load(Path.Combine(directory, "junit.xml"));
        Assert.Equal(ShippedScenarios.Files.Count, junit.Root!.Elements("testsuite").Count());
        Assert.Equal(0, (int)junit.Root.Attribute("failures")!);
        Assert.StartsWith("# Replication report: passed", await File.ReadAllTextAsync(Path.Combine(directory, "report.md")));
        Assert.Contains("Chart.js v4", await File.ReadAllTextAsync(Path.Combine(directory, "report.html")));
        Assert.All(report.Scenarios, s => Assert.Equal("on", s.Pair!.Fingerprint!.Primary["fsync"]));
        Assert.Empty(_work.LeftoverRuns(Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}")));
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    /// <summary>
    /// How many back-to-back runs the soak makes: 2 in the everyday suite (which must stay well under ten minutes on
    /// two cores; each run is about 6 s), 20 (the stability target) with HARNESS_SOAK_RUNS=20.
    /// </summary>
    private static int SoakRuns => int.TryParse(Environment.GetEnvironmentVariable("HARNESS_SOAK_RUNS"), out var runs) && runs > 0 ? runs : 2;

    [Fact]
    public async Task Back_to_back_parallel_runs_of_the_seeds_all_pass_each_merged_into_one_report_in_scenario_order()
    {
        for (var run = 1; run <= SoakRuns; run++)
        {
            var (code, output, report) = await RunAsync([.. Seeds, "--parallel", "3"]);

            Assert.True(code == ExitCodes.Success, $"run {run}:\n{output}");
            Assert.Equal(Verdict.Passed, report.Status);
            // Three scenarios at once, one report, in the order they were given, not the order they finished.
            Assert.Equal(["single-insert", "bulk-insert-update", "simulated-delay"], report.Scenarios.Select(s => s.Name));
            Assert.All(report.Scenarios, s => Assert.Equal(Verdict.Passed, s.Status));
            Assert.Contains("single-insert passed in", output);
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns(Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}")));
    }

    [Fact]
    public async Task No_report_file_nor_the_console_holds_a_password_the_run_generated()
    {
        // Searching for the word "password" would only find what the redactor left (its "password=********"):
        // the values themselves are what must never show, so the test takes them from the pair the run made.
        var reports = Path.Combine(_work.Path, "secrets");
        var provisioners = new RecordingProvisionerFactory();
        var (code, console) = await HarnessCli.RunAsync(provisioners, "run", Path.Combine(RepositoryRoot.Scenarios, "single-insert.yaml"), "--report-dir", reports, "--work-dir", _work.Path);

        Assert.True(code == ExitCodes.Success, console);
        var pair = Assert.IsType<LocalPair>(Assert.Single(provisioners.Pairs));
        string[] secrets = [pair.Primary.Password, pair.Standby.Password, pair.ReplicationPassword];
        Assert.All(secrets, secret => Assert.True(secret.Length >= 16, $"a generated password of {secret.Length} characters proves nothing"));
        var outputs = Directory.GetFiles(reports).ToDictionary(f => Path.GetFileName(f)!, File.ReadAllText);
        Assert.Equal(["junit.xml", "report.html", "report.json", "report.md"], outputs.Keys.Order());
        outputs["the console"] = console;
        var leaks = outputs.Where(o => secrets.Any(secret => o.Value.Contains(secret, StringComparison.Ordinal))).Select(o => o.Key).Order().ToList();
        Assert.True(leaks.Count == 0, $"a password the run generated shows in {string.Join(", ", leaks)}");
    }
}
