using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;
using Spectre.Console;

namespace ReplicationHarness.Cli.Commands;

/// <summary>How commands print scenario errors, so every command shows them alike.</summary>
internal static class ScenarioConsole
{
    /// <summary>One line per error in the <c>file:line:col path: message</c> form editors and CI recognise.</summary>
    public static void PrintErrors(IAnsiConsole console, IEnumerable<ScenarioLoadResult> results)
    {
        foreach (var error in results.SelectMany(r => r.Errors))
            console.MarkupLine($"[red]{Markup.Escape(error.ToString())}[/]");
    }

    /// <summary>HARNESS_TIMEOUT_MULTIPLIER's factor; null (with the error printed) when it is nonsense.</summary>
    public static TimeoutMultiplier? TimeoutMultiplierOrReport(IAnsiConsole console)
    {
        var (multiplier, error) = TimeoutMultiplier.FromEnvironment();
        if (error is not null)
            console.MarkupLine($"[red]error:[/] {Markup.Escape(error)}");
        return multiplier;
    }
}
