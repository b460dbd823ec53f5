using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Results;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>A scenario with a matrix runs once per combination, each on servers set as its values say, each named after them in the report.</summary>
public sealed class MatrixRunTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Each_combination_runs_on_its_own_servers_and_is_reported_under_its_name()
    {
        var file = Path.Combine(_work.Path, "modes.yaml");
        await File.WriteAllTextAsync(file, """
            version: 1
            name: modes
            matrix:
              replication: [async, sync]
              settings.wal_compression: [pglz]
            steps:
              - insert: { rows: 1 }
                expect: { visible_within: 2s }
              - sql: { on: standby, query: "select current_setting('wal_compression')" }
                expect: { result: pglz }
            """);

        var (code, output, report, reports) = await HarnessCli.RunWithReportAsync(_work.Path, file);

        Assert.True(code == ExitCodes.Success, output);
        Assert.Equal(["modes[replication=async, settings.wal_compression=pglz]", "modes[replication=sync, settings.wal_compression=pglz]"], report.Scenarios.Select(s => s.Name));
        Assert.All(report.Scenarios, s => Assert.Equal(Verdict.Passed, s.Status));
        Assert.All(report.Scenarios, s => Assert.Equal("pglz", s.Pair!.PrimarySettings["wal_compression"]));
        // Only the synchronous combination's primary waits for its standby.
        Assert.False(report.Scenarios[0].Pair!.PrimarySettings.ContainsKey("synchronous_standby_names"), string.Join(", ", report.Scenarios[0].Pair!.PrimarySettings.Keys));
        Assert.Equal("harness_standby", report.Scenarios[1].Pair!.PrimarySettings["synchronous_standby_names"]);
        // The values themselves, for tools that group a nightly matrix by axis (report.json), and for readers.
        Assert.Equal(new Dictionary<string, string> { ["replication"] = "sync", ["settings.wal_compression"] = "pglz" }, report.Scenarios[1].Matrix);
        Assert.Equal(["replication", "settings.wal_compression"], report.Scenarios[1].Matrix!.Keys);
        Assert.Contains("Matrix: replication = sync, settings.wal_compression = pglz.", await File.ReadAllTextAsync(Path.Combine(reports, "report.md")));
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }
}
