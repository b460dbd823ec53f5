using System.Diagnostics;
using ReplicationHarness.Cli;
using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// The command line as a real child process, interrupted with a signal once servers run (in-process runs
/// cannot receive SIGINT): what the user's terminal would show, and the exit code.
/// </summary>
internal static class InterruptedRun
{
    /// <summary>Starts the CLI, waits until <paramref name="servers"/> servers run under <paramref name="watched"/>, waits <paramref name="settle"/>, sends <paramref name="signal"/>.</summary>
    /// <returns>The exit code, standard output and standard error.</returns>
    public static Task<(int Code, string Output, string Errors)> RunAsync(string watched, int servers, TimeSpan settle, int signal, params string[] arguments) =>
        RunAsync(() => ServerProcesses.Postmasters(watched).Count >= servers, $"{servers} server(s) never came up", settle, signal, arguments);

    /// <summary>
    /// Starts the CLI, waits until its output contains <paramref name="printed"/> (a step it reached, the cause the
    /// test is about, rather than a guess at how long getting there takes), waits <paramref name="settle"/>, sends <paramref name="signal"/>.
    /// </summary>
    public static async Task<(int Code, string Output, string Errors)> RunUntilPrintedAsync(string printed, TimeSpan settle, int signal, params string[] arguments)
    {
        var output = new System.Text.StringBuilder();
        return await RunAsync(() => { lock (output) return output.ToString().Contains(printed, StringComparison.Ordinal); }, $"'{printed}' was never printed", settle, signal, arguments, output).ConfigureAwait(false);
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(Func<bool> ready, string notReady, TimeSpan settle, int signal, string[] arguments, System.Text.StringBuilder? seen = null)
    {
        InheritedSignals.StopIgnoringInterrupts();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(HarnessApp).Assembly.Location);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = ReadAllAsync(process.StandardOutput, seen ?? new System.Text.StringBuilder());
        var errors = process.StandardError.ReadToEndAsync();

        var stopwatch = Stopwatch.StartNew();
        while (!ready())
        {
            if (process.HasExited || stopwatch.Elapsed > TimeSpan.FromSeconds(60))
            {
                await process.WaitForExitAsync();
                Assert.Fail($"{notReady} before the command ended or 60 s passed: " + await output + await errors);
            }
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

    /// <summary>Reads a stream to its end, keeping what arrived so far readable (under a lock on <paramref name="seen"/>).</summary>
    private static async Task<string> ReadAllAsync(StreamReader reader, System.Text.StringBuilder seen)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (seen)
                seen.Append(buffer, 0, read);
        }
        lock (seen)
            return seen.ToString();
    }
}
