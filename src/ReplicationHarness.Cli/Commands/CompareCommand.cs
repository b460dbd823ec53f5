using System.ComponentModel;
using System.Text.Json;
using ReplicationHarness.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary><c>compare</c>: what changed between two report.json files; exit 1 on a regression.</summary>
[Description("Compare two report.json files; exit 1 on a regression.")]
internal sealed class CompareCommand(IAnsiConsole console) : AsyncCommand<CompareSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CompareSettings settings, CancellationToken cancellationToken)
    {
        var baseline = await LoadAsync(settings.Baseline, cancellationToken).ConfigureAwait(false);
        var current = await LoadAsync(settings.Current, cancellationToken).ConfigureAwait(false);
        if (baseline is null || current is null)
            return ExitCodes.InvalidInput;

        var rows = ReportComparison.Compare(baseline, current, settings.MaxP95Drift, settings.MinDriftMicroseconds);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("scenario").AddColumn("status").AddColumn(new TableColumn("p95 before").RightAligned())
            .AddColumn(new TableColumn("p95 now").RightAligned()).AddColumn(new TableColumn("drift").RightAligned()).AddColumn("verdict");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Scenario),
                Markup.Escape($"{(row.BaselineStatus is { } before ? ReportText.Status(before) : "(new)")} -> {(row.CurrentStatus is { } now ? ReportText.Status(now) : "(gone)")}"),
                ReportText.Micros(row.BaselineP95),
                ReportText.Micros(row.CurrentP95),
                row.P95DriftPercent is { } drift ? $"{drift:+0;-0;0}%" : "-",
                row.Regressions.Count == 0 ? "[green]ok[/]" : $"[red]regression[/]: {Markup.Escape(string.Join("; ", row.Regressions))}");
        }
        console.Write(table);
        var regressions = rows.Count(r => r.Regressions.Count > 0);
        console.MarkupLine(regressions == 0 ? "[green]no regression[/]" : $"[red]{regressions} regression{(regressions == 1 ? "" : "s")}[/]");
        return regressions == 0 ? ExitCodes.Success : ExitCodes.ScenarioFailed;
    }

    private async Task<RunReport?> LoadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var report = await JsonReportWriter.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (report is { SchemaVersion: RunReport.CurrentSchemaVersion, Scenarios: not null })
                return report;
            console.MarkupLine($"[red]error:[/] {Markup.Escape(path)} is report schema version {report?.SchemaVersion}, not {RunReport.CurrentSchemaVersion}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(path)} cannot be read as a report.json: {Markup.Escape(ex.Message)}");
        }
        console.MarkupLine("  fix: pass two report.json files written by replication-harness run");
        return null;
    }
}
