using System.Text.RegularExpressions;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Reporting;
using ReplicationHarness.Units;

namespace ReplicationHarness.IntegrationTests.Cli;

/// <summary>Ctrl-C while the link is cut: the harness heals what it injected, says so, and leaves nothing behind.</summary>
public sealed class PartitionInterruptTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Ctrl_c_during_a_partition_exits_130_restores_the_link_and_cleans_up()
    {
        var scenario = Path.Combine(_work.Path, "long-partition.yaml");
        await File.WriteAllTextAsync(scenario, "version: 1\nname: long-partition\nsteps:\n  - set_network: { latency: 5ms }\n  - partition:\n  - wait: 60s\n  - heal:\n");
        var reports = Path.Combine(_work.Path, "reports");
        // Interrupted once the wait after the partition has begun: the link has been cut for at least the settle time.
        var settle = TimeSpan.FromMilliseconds(500);
        var (code, output, errors) = await InterruptedRun.RunUntilPrintedAsync("[3/4] wait ...", settle, Posix.SIGINT, "run", scenario, "--work-dir", _work.Path, "--report-dir", reports);

        Assert.True(code == ExitCodes.Interrupted, output + errors);
        Assert.Contains("[3/4] wait ERROR: interrupted", output);
        var report = (await JsonReportWriter.ReadAsync(Path.Combine(reports, JsonReportWriter.FileName), CancellationToken.None))!;
        var faults = Assert.Single(report.Scenarios).Faults!;
        Assert.Equal(["set_network", "partition", "restore"], faults.Select(f => f.Action));
        var restore = Regex.Match(faults[2].Detail, @"^healed the partition \(drop\) left by the scenario after (?<cut>\S+); removed latency 5ms each way$");
        Assert.True(restore.Success, faults[2].Detail);
        Assert.True(DurationText.TryParse(restore.Groups["cut"].Value, out var cut) && cut >= settle, faults[2].Detail);
        Assert.Empty(ServerProcesses.Under(_work.Path));
        var runs = Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}", "runs");
        Assert.Empty(Directory.Exists(runs) ? Directory.GetDirectories(runs) : []);
    }
}
