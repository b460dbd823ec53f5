using System.Diagnostics;
using ReplicationHarness.Cli;
using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// The command line as a real child process, interrupted with a signal once servers run (in-process runs
/// cannot receive SIGINT): what the user's terminal would show, and the exit code.
/// </summary>
public static class InterruptedRun
{
    /// <summary>Starts the CLI, waits until <paramref name="servers"/> servers run under <paramref name="watched"/>, waits <paramref name="settle"/>, sends <paramref name="signal"/>.</summary>
    /// <returns>The exit code, standard output and standard error.</returns>
    public static async Task<(int Code, string Output, string Errors)> RunAsync(string watched, int servers, TimeSpan settle, int signal, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(HarnessApp).Assembly.Location);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();

        var stopwatch = Stopwatch.StartNew();
        while (ServerProcesses.Under(watched).Count < servers)
        {
            if (process.HasExited || stopwatch.Elapsed > TimeSpan.FromSeconds(60))
                Assert.Fail($"{servers} server(s) never came up before the command ended or 60 s passed: " + await output + await errors);
            await Task.Delay(5);
        }
        await Task.Delay(settle);
        // The message is built only on failure: awaiting the output would wait for the process to end.
        if (process.HasExited)
            Assert.Fail("the command ended before it could be interrupted: " + await output + await errors);
        Assert.True(Posix.Signal(process.Id, signal));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
