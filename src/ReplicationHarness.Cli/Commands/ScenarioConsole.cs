using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;
using Spectre.Console;

namespace ReplicationHarness.Cli.Commands;

/// <summary>How commands print scenario and infrastructure errors, so every command shows them alike.</summary>
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

    /// <summary>An infrastructure error as users read it: what failed, how to fix it, then the evidence.</summary>
    public static IEnumerable<string> ErrorLines(Provisioning.ProvisioningException error)
    {
        yield return $"[red]error:[/] {Markup.Escape(error.Message)}";
        yield return $"  fix: {Markup.Escape(error.Fix)}";
        yield return $"  Details: {Markup.Escape(error.Details)}";
    }
}
