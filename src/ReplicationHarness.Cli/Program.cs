using System.Runtime.InteropServices;
using ReplicationHarness.Cli;
using Spectre.Console;

using var interrupted = new CancellationTokenSource();

// Ctrl-C and SIGTERM both cancel the run so that servers and temp directories are cleaned up
// before exit; the process then reports 130.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    interrupted.Cancel();
});

// Redirected output goes to logs and problem matchers that read 'file:line:col' per line: never wrap it.
var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
    console.Profile.Width = 4096;

return await HarnessApp.RunAsync(args, console, interrupted.Token);
