using ReplicationHarness.Cli;
using Spectre.Console.Testing;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Runs the command line in-process, as users call it, and captures what they would read.</summary>
public static class HarnessCli
{
    public static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await HarnessApp.RunAsync(args, console);
        return (code, console.Output);
    }
}
