using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Cli;

/// <summary>Ctrl-C and SIGTERM while a load runs: exit 130, a report of what ran, nothing left behind.</summary>
public sealed class LoadInterruptTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    public async Task A_signal_during_load_exits_130_and_cleans_up(int signal)
    {
        var scenario = Path.Combine(_work.Path, "long-load.yaml");
        await File.WriteAllTextAsync(scenario, "version: 1\nname: long-load\nsteps:\n  - load: { rate: 500/s, duration: 60s }\n");
        var reports = Path.Combine(_work.Path, "reports");
        // Interrupt once the load has started (not after a fixed time: preparing the nodes took over 3 s once on a
        // busy machine, and the signal then came before the step), a second in, well inside the 60 s load.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var (code, output, errors) = await InterruptedRun.RunUntilPrintedAsync("[1/1] load ...", TimeSpan.FromSeconds(1), signal, "run", scenario, "--work-dir", _work.Path, "--report-dir", reports);

        Assert.True(code == ExitCodes.Interrupted, output + errors);
        Assert.Contains("[1/1] load ERROR: interrupted", output);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(45), $"the 60 s load was not cut short: {stopwatch.Elapsed}");
        // The report keeps what ran: the interrupted load is the step in error.
        var report = System.Text.Json.JsonSerializer.Deserialize<ReplicationHarness.Reporting.RunReport>(
            await File.ReadAllTextAsync(Path.Combine(reports, "report.json")), ReplicationHarness.Reporting.JsonReportWriter.Options)!;
        var step = Assert.Single(Assert.Single(report.Scenarios).Steps);
        Assert.Equal((ReplicationHarness.Results.Verdict.Error, "interrupted: cancelled"), (step.Status, step.Detail));
        Assert.Empty(ServerProcesses.Under(_work.Path));
        var runs = Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}", "runs");
        Assert.Empty(Directory.Exists(runs) ? Directory.GetDirectories(runs) : []);
    }
}
