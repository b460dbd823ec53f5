using System.ComponentModel;
using ReplicationHarness.Scenarios.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary><c>validate</c>: checks scenario files without starting anything; exit 0 when all are valid, 2 otherwise.</summary>
[Description("Check scenario files without starting anything.")]
internal sealed class ValidateCommand(IAnsiConsole console) : AsyncCommand<ValidateSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ValidateSettings settings, CancellationToken cancellationToken)
    {
        if (ScenarioConsole.TimeoutMultiplierOrReport(console) is null)
            return ExitCodes.InvalidInput;

        var results = await ScenarioCatalog.LoadAsync(settings.Paths, cancellationToken).ConfigureAwait(false);
        ScenarioConsole.PrintErrors(console, results);
        foreach (var result in results.Where(r => r.IsValid))
        {
            var first = result.Scenarios[0];
            var what = result.Scenarios.Count == 1
                ? $"{first.Name}, {first.Steps.Count} step{(first.Steps.Count == 1 ? "" : "s")}"
                : $"a matrix of {result.Scenarios.Count} scenarios: {string.Join("; ", result.Scenarios.Select(s => s.Name))}";
            console.MarkupLine($"[green]valid[/]   {Markup.Escape(result.File)} ({Markup.Escape(what)})");
        }

        var invalid = results.Count(r => !r.IsValid);
        var errors = results.Sum(r => r.Errors.Count);
        var summary = $"{results.Count} file{(results.Count == 1 ? "" : "s")} checked: {results.Count - invalid} valid, {invalid} invalid";
        console.MarkupLine(invalid == 0 ? $"[green]{summary}[/]" : $"[red]{summary} ({errors} error{(errors == 1 ? "" : "s")})[/]");
        return invalid == 0 ? ExitCodes.Success : ExitCodes.InvalidInput;
    }
}
