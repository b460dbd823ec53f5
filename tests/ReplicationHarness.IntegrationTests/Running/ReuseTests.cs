using System.Text.RegularExpressions;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>
/// <c>run --reuse</c>: consecutive scenarios of one shape share a pair only after a verified reset, the report says which
/// did, and a pair the reset cannot put back is never handed on.
/// </summary>
public sealed class ReuseTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private string Write(string name, string body)
    {
        var path = Path.Combine(_work.Path, $"{name}.yaml");
        File.WriteAllText(path, $"version: 1\nname: {name}\npair:\n  replication: async\nsteps:\n{body}");
        return path;
    }

    private async Task<(int Code, string Output, RunReport Report)> RunAsync(params string[] arguments)
    {
        var (code, output, report, reports) = await HarnessCli.RunWithReportAsync(_work.Path, arguments);
        _lastReports = reports;
        Assert.Empty(ServerProcesses.Under(_work.Path));
        return (code, output, report);
    }

    private string? _lastReports;

    private static readonly string[] Seeds =
        new[] { "single-insert.yaml", "bulk-insert-update.yaml", "simulated-delay.yaml" }.Select(f => Path.Combine(RepositoryRoot.Scenarios, f)).ToArray();

    [Fact]
    public async Task The_seeds_share_one_pair_and_the_report_says_so()
    {
        var (code, output, report) = await RunAsync([.. Seeds, "--reuse"]);

        Assert.True(code == ExitCodes.Success, output);
        var uses = report.Scenarios.Select(s => s.Pair!.Reuse!).ToList();
        Assert.Single(uses.Select(u => u.Pair).Distinct());
        Assert.Equal([1, 2, 3], uses.Select(u => u.Use));
        Assert.Equal(["bulk-insert-update", "simulated-delay"], uses[0].SharedWith);
        Assert.Equal(["single-insert", "bulk-insert-update"], uses[2].SharedWith);
        Assert.Null(uses[0].ResetMs);
        Assert.All(uses.Skip(1), u => Assert.True(u.ResetMs > 0));
        // What a reused scenario waited for is its reset: the build's time belongs to the first.
        Assert.True(report.Scenarios[0].Pair!.ProvisionMs > 0);
        Assert.All(report.Scenarios.Skip(1), s => Assert.Equal(0, s.Pair!.ProvisionMs));
        Assert.Equal(["kept", "kept", "torn down: no later scenario of its shape"], uses.Select(u => u.After));
        Assert.Contains("pair reused after single-insert, bulk-insert-update (reset and verified in ", output);
        var markdown = await File.ReadAllTextAsync(Path.Combine(_lastReports!, "report.md"));
        Assert.Matches(@"Pair: a pair shared with single-insert, simulated-delay \(\d{8}-\d{6}-[0-9a-f]{6}, scenario 2 on it, reset and verified before it in \d+ ms\); after it: kept\.", markdown);
    }

    [Fact]
    public async Task What_a_scenario_left_behind_is_undone_before_the_next_one_and_checked_by_it()
    {
        var mess = Write("leaves-a-mess", """
              - verify_pair:
              - insert: { rows: 3 }
              - sql: { on: primary, query: "create schema scratch" }
              - sql: { on: primary, query: "create table scratch.t (i int)" }
              - sql: { on: primary, query: "create view public.v_items as select * from harness_items" }
              - sql: { on: primary, query: "alter system set work_mem = '7MB'" }
              - sql: { on: primary, query: "select pg_reload_conf()" }
              - sql: { on: primary, query: "select pg_create_physical_replication_slot('scratch_slot')" }
              - set_apply_delay: 1s
              - pause_replay:
            """);
        var check = Write("checks-and-stops", """
              - verify_pair:
              - sql: { on: primary, query: "select current_setting('work_mem')" }
                expect: { result: 4MB }
              - sql: { on: primary, query: "select count(*) from pg_namespace where nspname = 'scratch'" }
                expect: { result: '0' }
              - sql: { on: primary, query: "select count(*) from pg_class where relname in ('v_items', 't')" }
                expect: { result: '0' }
              - sql: { on: primary, query: "select count(*) from pg_replication_slots where slot_name = 'scratch_slot'" }
                expect: { result: '0' }
              - sql: { on: standby, query: "select current_setting('recovery_min_apply_delay')" }
                expect: { result: '0' }
              - insert: { rows: 1 }
                expect: { visible_within: 1s }
              - stop_node: { node: primary, mode: immediate }
              - start_node: { node: primary }
              - wait_for_catchup:
              - stop_node: { node: standby, mode: immediate }
            """);
        var after = Write("after-a-stop", """
              - verify_pair:
              - insert: { rows: 1 }
                expect: { visible_within: 1s }
            """);

        var (code, output, report) = await RunAsync(mess, check, after, "--reuse");

        Assert.True(code == ExitCodes.Success, output);
        Assert.All(report.Scenarios, s => Assert.Equal(Verdict.Passed, s.Status));
        Assert.Equal([1, 2, 3], report.Scenarios.Select(s => s.Pair!.Reuse!.Use));
        Assert.Single(report.Scenarios.Select(s => s.Pair!.Reuse!.Pair).Distinct());
        // The reset names what it undid.
        var reset = Regex.Matches(output, @"^\s+reset: (.*)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, reset.Count);
        Assert.Contains("ALTER SYSTEM RESET \"work_mem\" on the primary", reset[0]);
        Assert.Contains("ALTER SYSTEM RESET \"recovery_min_apply_delay\" on the standby", reset[0]);
        Assert.Contains("resumed replay on the standby", reset[0]);
        Assert.Contains("dropped the slot scratch_slot on the primary", reset[0]);
        Assert.Contains("dropped the schema scratch", reset[0]);
        Assert.StartsWith("started the standby", reset[1]);
        // The standby's log holds its walreceiver's FATAL lines from the primary's crash; verify_pair on the reused pair
        // judged only what was logged since the reset began.
        Assert.Equal(Verdict.Passed, report.Scenarios[2].Steps[0].Status);
    }

    [Fact]
    public async Task A_pair_the_reset_cannot_put_back_is_not_handed_on_and_the_report_says_why()
    {
        var leftover = Write("leaves-a-function", """
              - insert: { rows: 1 }
              - sql: { on: primary, query: "create function public.harness_leftover() returns int language sql as 'select 1'" }
              - sql: { on: primary, query: "do $$ begin execute format('alter database %I set work_mem = %L', current_database(), '9MB'); end $$" }
            """);
        var promotes = Write("promotes", """
              - insert: { rows: 1 }
              - stop_node: { node: primary, mode: immediate }
              - promote:
            """);
        var next = Write("next", """
              - verify_pair:
              - sql: { on: primary, query: "select count(*) from pg_proc where proname = 'harness_leftover'" }
                expect: { result: '0' }
              - sql: { on: primary, query: "select current_setting('work_mem')" }
                expect: { result: 4MB }
            """);

        var (code, output, report) = await RunAsync(leftover, promotes, next, "--reuse");

        Assert.True(code == ExitCodes.Success, output);
        var uses = report.Scenarios.Select(s => s.Pair!.Reuse!).ToList();
        Assert.Equal(3, uses.Select(u => u.Pair).Distinct().Count());
        Assert.All(uses, u => Assert.Equal(1, u.Use));
        Assert.StartsWith("not kept: after the reset it still differs from how it was built: ", uses[0].After);
        Assert.Contains("primary: function harness_leftover() was added", uses[0].After);
        Assert.Contains("primary: settings of database postgres for every role: work_mem=9MB was added", uses[0].After);
        Assert.Equal("not kept: the scenario moved the roles (standby is the primary now)", uses[1].After);
        Assert.Contains("pair not kept: after the reset it still differs from how it was built: ", output);
        // The next scenario's fresh pair has neither.
        Assert.Equal(Verdict.Passed, report.Scenarios[2].Status);
    }

    [Fact]
    public async Task Broken_seeds_fail_the_same_way_on_a_reused_pair()
    {
        // The edits of FailureDetectionTests' seed cases: replay paused before the insert, and no delay injected.
        var pausedText = File.ReadAllText(Seeds[0]).Replace("name: single-insert", "name: single-insert-paused", StringComparison.Ordinal)
            .Replace("  - insert:\n", "  - pause_replay:\n  - insert:\n", StringComparison.Ordinal).Replace("timeout: 5s", "timeout: 2s", StringComparison.Ordinal);
        var undelayedText = File.ReadAllText(Seeds[2]).Replace("name: simulated-delay", "name: simulated-delay-undelayed", StringComparison.Ordinal)
            .Replace("  - set_apply_delay: 2s\n", "  - set_apply_delay: 0s\n", StringComparison.Ordinal);
        var paused = Path.Combine(_work.Path, "paused.yaml");
        var undelayed = Path.Combine(_work.Path, "undelayed.yaml");
        File.WriteAllText(paused, pausedText);
        File.WriteAllText(undelayed, undelayedText);

        var (code, output, report) = await RunAsync(Seeds[0], paused, Seeds[1], undelayed, "--reuse");

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Equal([Verdict.Passed, Verdict.Failed, Verdict.Passed, Verdict.Failed], report.Scenarios.Select(s => s.Status));
        // Each broken one ran on a pair a passing scenario had used, and failed naming the same check as on a fresh pair.
        Assert.Equal([1, 2, 1, 2], report.Scenarios.Select(s => s.Pair!.Reuse!.Use));
        Assert.True(Regex.IsMatch(output, @"failed: steps\[2\] insert: visible_within <= 1s, observed 0 of 1 rows of write 1 visible after 1(\.\d+)?s"), output);
        Assert.Contains("failed: steps[2] insert: visible_not_before >= 2s, observed min", output);
        Assert.Equal("not kept: the scenario did not pass (its pair is torn down as it was, for its logs)", report.Scenarios[1].Pair!.Reuse!.After);
    }
}
