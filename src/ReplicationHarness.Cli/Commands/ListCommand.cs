using System.ComponentModel;
using ReplicationHarness.Scenarios.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary><c>list</c>: shows each scenario with its description and tags; invalid files are reported, exit 2.</summary>
[Description("List scenarios with their description and tags.")]
internal sealed class ListCommand(IAnsiConsole console) : AsyncCommand<ListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListSettings settings, CancellationToken cancellationToken)
    {
        var results = await ScenarioCatalog.LoadAsync(settings.Paths, cancellationToken).ConfigureAwait(false);
        var valid = results.Where(r => r.IsValid).ToList();
        // One block per scenario rather than a table: descriptions stay readable in CI logs and narrow terminals.
        foreach (var scenario in valid.SelectMany(r => r.Scenarios))
        {
            var tags = scenario.Tags.Count == 0 ? "" : $" [grey][[{Markup.Escape(string.Join(", ", scenario.Tags))}]][/]";
            var steps = $"{scenario.Steps.Count} step{(scenario.Steps.Count == 1 ? "" : "s")}";
            console.MarkupLine($"[bold]{Markup.Escape(scenario.Name)}[/]{tags}  {steps}  [grey]{Markup.Escape(scenario.SourcePath)}[/]");
            if (scenario.Description.Length > 0)
                console.MarkupLine($"  {Markup.Escape(scenario.Description)}");
        }
        console.MarkupLine($"{valid.Count} scenario{(valid.Count == 1 ? "" : "s")}");

        var invalid = results.Where(r => !r.IsValid).ToList();
        if (invalid.Count == 0)
            return ExitCodes.Success;
        var count = invalid.Count == 1 ? "1 file is not a valid scenario" : $"{invalid.Count} files are not valid scenarios";
        console.MarkupLine($"[red]{count} (run 'validate' for the full check):[/]");
        ScenarioConsole.PrintErrors(console, invalid);
        return ExitCodes.InvalidInput;
    }
}
