using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>
/// rejoin on a pair: an old primary that acknowledged writes its standby never had is rewound, and those writes are
/// named as gone; one pg_rewind cannot rewind comes back by a base backup only when the scenario allows it, and the
/// detail says which happened.
/// </summary>
public sealed class RejoinTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private async Task<(int Code, string Output, ScenarioReport Scenario)> RunAsync(string name, string yaml)
    {
        var file = Path.Combine(_work.Path, $"{name}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        var (code, output, report, _) = await HarnessCli.RunWithReportAsync(_work.Path, file);
        return (code, output, Assert.Single(report.Scenarios));
    }

    [Fact]
    public async Task A_diverged_old_primary_is_rewound_and_the_writes_only_it_acknowledged_are_named_as_gone()
    {
        // The standby stops receiving (its walreceiver pointed at a closed port) before the primary acknowledges 10 rows.
        var (code, output, scenario) = await RunAsync("diverged-old-primary", """
            version: 1
            name: diverged-old-primary
            observer: { alerts: { stall: false } }
            steps:
              - sql: { on: standby, query: "alter system set primary_conninfo = 'host=127.0.0.1 port=1'" }
              - sql: { on: standby, query: select pg_reload_conf() }
              - wait: 500ms
              - insert: { rows: 10 }
              - stop_node: { node: primary, mode: immediate }
              - promote:
              - rejoin:
              - insert: { rows: 5 }
                expect: { visible_within: 1s }
            assertions:
              contents_equal: true
            """);

        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("write gap: 1 of 1 acknowledged writes (10 rows) missing on the new primary", scenario.Steps[5].Detail);
        var rejoin = scenario.Steps[6].Detail;
        Assert.Matches(@"^the primary rejoined as a standby of the standby with pg_rewind \(servers diverged at WAL location \S+ on timeline 1\) in \d+ ms; streaming on timeline 2 after \d+ ms", rejoin);
        Assert.EndsWith("; the 1 acknowledged write (10 rows) it had and the new primary lacked (steps[5]'s write gap) are gone for good: rejoining replaced them with the new primary's history", rejoin);
        // The write after the rejoin is seen on the old primary, a standby now; both nodes hold the same rows.
        Assert.Equal(Verdict.Passed, scenario.Steps[7].Status);
        Assert.Equal("primary", Assert.Single(scenario.Writes!).Standby);
        Assert.Equal(Verdict.Passed, Assert.Single(scenario.Assertions, a => a.Name == "contents_equal").Status);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_old_primary_pg_rewind_cannot_rewind_comes_back_by_a_base_backup_only_when_allowed(bool fallBack)
    {
        // Without wal_log_hints (and without data checksums) pg_rewind refuses its target.
        var (code, output, scenario) = await RunAsync($"rewind-refused-{fallBack}", $$"""
            version: 1
            name: rewind-refused
            pair:
              primary:
                settings: { wal_log_hints: 'off' }
            observer: { alerts: { stall: false } }
            steps:
              - insert: { rows: 5 }
              - stop_node: { node: primary, mode: immediate }
              - promote:
              - rejoin: { fallback: {{(fallBack ? "base_backup" : "none")}} }
              - insert: { rows: 5 }
                expect: { visible_within: 1s }
            """);

        var rejoin = scenario.Steps[3];
        if (fallBack)
        {
            Assert.True(code == ExitCodes.Success, output);
            Assert.Matches(@"^the primary rejoined as a standby of the standby with a new base backup \(\S+ in \d+ ms\) after pg_rewind failed: exit code 1: .*wal_log_hints", rejoin.Detail);
            Assert.Equal(Verdict.Passed, scenario.Steps[4].Status);
            Assert.Equal("primary", Assert.Single(scenario.Writes!).Standby);
        }
        else
        {
            Assert.NotEqual(ExitCodes.Success, code);
            Assert.Equal(Verdict.Error, rejoin.Status);
            Assert.StartsWith("rejoining the primary failed: pg_rewind could not rewind the primary: exit code 1: ", rejoin.Detail);
            Assert.Contains("wal_log_hints", rejoin.Detail);
            Assert.Equal(Verdict.Skipped, scenario.Steps[4].Status);
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }
}
