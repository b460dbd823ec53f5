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
        // Interrupted as soon as a server of some pair is up.
        var workDirectory = Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}");
        var (code, output, _) = await InterruptedRun.RunAsync(workDirectory, 1, TimeSpan.Zero, signal, "bench", "provision", "--pairs", "20", "--no-bare", "--work-dir", _work.Path);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Contains("interrupted", output);
        Assert.Empty(ServerProcesses.Under(workDirectory));
        var runs = Path.Combine(workDirectory, "runs");
        Assert.Empty(Directory.Exists(runs) ? Directory.GetDirectories(runs) : []);
    }
}
