using System.Diagnostics;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Cli;

/// <summary>Ctrl-C and SIGTERM while servers run: the command exits 130 and leaves nothing behind.</summary>
public sealed class InterruptTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData(Posix.SIGINT)]
    [InlineData(Posix.SIGTERM)]
    public async Task A_signal_during_provisioning_exits_130_and_cleans_up(int signal)
    {
        var cli = typeof(HarnessApp).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { cli, "bench", "provision", "--pairs", "20", "--no-bare", "--work-dir", _work.Path })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();

        // Wait until a server of some pair is up, then interrupt.
        var workDirectory = Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}");
        var stopwatch = Stopwatch.StartNew();
        while (ServerProcesses.Under(workDirectory).Count == 0)
        {
            if (process.HasExited || stopwatch.Elapsed > TimeSpan.FromSeconds(60))
                Assert.Fail("no server seen before the command ended or 60 s passed: " + await output + await errors);
            await Task.Delay(5);
        }
        Assert.True(Posix.Signal(process.Id, signal));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        Assert.Contains("interrupted", await output);
        Assert.Empty(ServerProcesses.Under(workDirectory));
        var runs = Path.Combine(workDirectory, "runs");
        Assert.Empty(Directory.Exists(runs) ? Directory.GetDirectories(runs) : []);
    }
}
