using ReplicationHarness.Cli;
using Spectre.Console.Testing;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary><c>bench cluster</c>'s simulation end to end, small: every simulated scenario comes back passed from its worker, and the figures are printed.</summary>
public sealed class BenchClusterTests
{
    [Fact]
    public async Task The_simulation_runs_every_scenario_on_the_workers_and_prints_its_figures()
    {
        var console = new TestConsole().Width(200);

        var code = await HarnessApp.RunAsync(["bench", "cluster", "--scenarios", "12", "--workers", "4", "--duration", "50ms"], console);

        // The ratio depends on the machine's load: only the run's soundness is asserted, not the target.
        Assert.True(code is ExitCodes.Success or ExitCodes.ScenarioFailed, console.Output);
        Assert.DoesNotContain("came back passed", console.Output);
        Assert.Contains("12 x 4", console.Output);
        Assert.Contains("3 x 50 ms = 0.150 s", console.Output);
        // 12 scenarios x 16 lines, 12 assignments, 12 verdicts and 4 joins reached the coordinator.
        Assert.Matches(@"progress lines printed\s+│\s+220 │", console.Output);
    }
}
