using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using ReplicationHarness.Platform;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>bench suite</c>: the three seed scenarios end to end, each round a whole <c>replication-harness run</c> process
/// (its start, provisioning, the scenarios, teardown and reports; the build excluded), with fresh pairs built by base
/// backups, pairs from topology snapshots, and <c>--reuse</c>; against the targets of under 9 s fresh and under 6 s
/// reused. With <c>--verdicts</c>, every scenario of the directory runs once in each mode and no verdict may differ.
/// </summary>
[Description("The seed scenarios end to end with fresh, snapshot and reused pairs; optionally every scenario's verdict in each mode.")]
internal sealed class BenchSuiteCommand(IAnsiConsole console) : AsyncCommand<BenchSuiteSettings>
{
    private static readonly string[] SeedFiles = ["single-insert.yaml", "bulk-insert-update.yaml", "simulated-delay.yaml"];
    private static readonly TimeSpan FreshTarget = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan ReuseTarget = TimeSpan.FromSeconds(6);

    /// <summary>The modes, each with the arguments that make it.</summary>
    private static readonly (string Mode, string[] Arguments)[] Modes =
    [
        ("fresh (base backups)", ["--no-snapshot"]),
        ("fresh (snapshots)", []),
        ("reused (--reuse)", ["--reuse"]),
    ];

    public override async Task<int> ExecuteAsync(CommandContext context, BenchSuiteSettings settings, CancellationToken cancellationToken)
    {
        var seeds = SeedFiles.Select(f => Path.GetFullPath(Path.Combine(settings.Scenarios, f))).ToArray();
        if (seeds.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(missing)} is not there: --scenarios must name the shipped scenarios' directory");
            return ExitCodes.InvalidInput;
        }
        var reports = Path.GetFullPath(settings.ReportDir ?? Directory.CreateTempSubdirectory("harness-bench-suite-").FullName);
        try
        {
            console.MarkupLine(Text($"the three seed scenarios, {settings.Rounds} round(s) per mode, each a whole `run` process; {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            // Snapshots are saved by a shape's second build: two runs make sure the snapshot mode starts from one.
            for (var warmup = 1; warmup <= 2; warmup++)
            {
                if (await PassingRunAsync(seeds, [], settings, reports, $"warmup-{warmup}", cancellationToken).ConfigureAwait(false) is not null)
                    continue;
                return ExitCodes.InfrastructureError;
            }
            var medians = new List<(string Mode, TimeSpan Median)>();
            foreach (var (mode, arguments) in Modes)
            {
                var times = new List<TimeSpan>();
                for (var round = 1; round <= settings.Rounds; round++)
                {
                    if (await PassingRunAsync(seeds, arguments, settings, reports, $"{Slug(mode)}-{round}", cancellationToken).ConfigureAwait(false) is not { } elapsed)
                        return ExitCodes.InfrastructureError;
                    times.Add(elapsed);
                    console.MarkupLine(Text($"  {Markup.Escape(mode)} round {round}: {elapsed.TotalSeconds:0.00} s"));
                }
                medians.Add((mode, times.Order().ElementAt(times.Count / 2)));
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumn("mode").AddColumn(new TableColumn("median").RightAligned()).AddColumn(new TableColumn("target").RightAligned()).AddColumn("");
            var met = true;
            foreach (var (mode, median) in medians)
            {
                TimeSpan? target = mode.StartsWith("reused", StringComparison.Ordinal) ? ReuseTarget : FreshTarget;
                var within = median < target;
                met &= within;
                table.AddRow(Markup.Escape(mode), Text($"{median.TotalSeconds:0.00} s"), Text($"< {target.Value.TotalSeconds:0} s"),
                    within ? Text($"[green]within[/] ({median / target.Value:0.00}x)") : Text($"[red]over[/] ({median / target.Value:0.00}x)"));
            }
            console.Write(table);
            var (freshMedian, reusedMedian) = (medians[0].Median, medians[2].Median);
            console.MarkupLine(Text($"reused / fresh with base backups: {reusedMedian / freshMedian:0.00}x; reused / fresh from snapshots: {reusedMedian / medians[1].Median:0.00}x"));

            if (settings.Verdicts && !await CompareVerdictsAsync(settings, reports, cancellationToken).ConfigureAwait(false))
                return ExitCodes.ScenarioFailed;
            return met ? ExitCodes.Success : ExitCodes.ScenarioFailed;
        }
        finally
        {
            if (settings.ReportDir is null)
                Directory.Delete(reports, recursive: true);
        }
    }

    private async Task<bool> CompareVerdictsAsync(BenchSuiteSettings settings, string reports, CancellationToken cancellationToken)
    {
        console.MarkupLine(Text($"every scenario in {Markup.Escape(settings.Scenarios)}, once in each mode"));
        var verdicts = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (mode, arguments) in Modes)
        {
            var (elapsed, code, report) = await RunAsync([Path.GetFullPath(settings.Scenarios)], arguments, settings, reports, $"verdicts-{Slug(mode)}", cancellationToken).ConfigureAwait(false);
            console.MarkupLine(Text($"  {Markup.Escape(mode)}: {elapsed.TotalSeconds:0.0} s, exit {code}"));
            foreach (var scenario in report?.Scenarios ?? [])
            {
                if (!verdicts.TryGetValue(scenario.Name, out var byMode))
                    verdicts[scenario.Name] = byMode = new Dictionary<string, string>(StringComparer.Ordinal);
                var failed = scenario.Steps.SelectMany(s => s.Checks.Where(c => c.Status == Verdict.Failed).Select(c => $"steps[{s.Index}] {c.Name}"))
                    .Concat(scenario.Assertions.Where(a => a.Status == Verdict.Failed).Select(a => a.Name));
                byMode[mode] = $"{ReportText.Status(scenario.Status)}{(failed.Any() ? $": {string.Join(", ", failed)}" : "")}";
            }
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("scenario");
        foreach (var (mode, _) in Modes)
            table.AddColumn(Markup.Escape(mode));
        var same = true;
        foreach (var (name, byMode) in verdicts.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var cells = Modes.Select(m => byMode.GetValueOrDefault(m.Mode, "not run")).ToArray();
            var agree = cells.Distinct(StringComparer.Ordinal).Count() == 1;
            same &= agree;
            table.AddRow([Markup.Escape(name), .. cells.Select(c => agree ? Markup.Escape(c) : $"[red]{Markup.Escape(c)}[/]")]);
        }
        console.Write(table);
        console.MarkupLine(same ? "[green]no verdict differs between the modes[/]" : "[red]a verdict differs between the modes (in red)[/]");
        return same;
    }

    /// <summary>
    /// A run whose scenarios must all pass, timed; null (its output printed) when one did not: such a round measured
    /// something else, and no figure is printed from it.
    /// </summary>
    private async Task<TimeSpan?> PassingRunAsync(IReadOnlyList<string> paths, IReadOnlyList<string> arguments, BenchSuiteSettings settings, string reports, string name, CancellationToken cancellationToken)
    {
        var (elapsed, code, _) = await RunAsync(paths, arguments, settings, reports, name, cancellationToken).ConfigureAwait(false);
        if (code == ExitCodes.Success)
            return elapsed;
        console.MarkupLine(Text($"[red]error:[/] the run {Markup.Escape(name)} ended with exit code {code}; its output:"));
        console.WriteLine(await File.ReadAllTextAsync(Path.Combine(reports, name, "console.txt"), cancellationToken).ConfigureAwait(false));
        return null;
    }

    /// <summary>One <c>run</c> in a process of its own, timed from its start to its end; its output goes to a file beside its reports.</summary>
    private static async Task<(TimeSpan Elapsed, int Code, RunReport? Report)> RunAsync(IReadOnlyList<string> paths, IReadOnlyList<string> arguments, BenchSuiteSettings settings,
        string reports, string name, CancellationToken cancellationToken)
    {
        var reportDir = Path.Combine(reports, name);
        var (program, prefix) = Self();
        List<string> all = [.. prefix, "run", .. paths, .. arguments, "--report-dir", reportDir];
        if (settings.WorkDir is { } work)
            all.AddRange(["--work-dir", Path.GetFullPath(work)]);
        var result = await CommandRunner.RunAsync(program, all, ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(reportDir);
        await File.WriteAllTextAsync(Path.Combine(reportDir, "console.txt"), result.StandardOutput + result.StandardError, cancellationToken).ConfigureAwait(false);
        var json = Path.Combine(reportDir, JsonReportWriter.FileName);
        var report = File.Exists(json) ? await JsonReportWriter.ReadAsync(json, cancellationToken).ConfigureAwait(false) : null;
        return (result.Elapsed, result.ExitCode, report);
    }

    /// <summary>How to start this harness again: its own executable, or <c>dotnet</c> with its assembly.</summary>
    internal static (string Program, string[] Prefix) Self()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Assembly.GetEntryAssembly()!.Location])
            : (process, []);
    }

    private static string Slug(string mode) => new([.. mode.Where(char.IsLetter)]);

    // Figures read the same on every machine, whatever its culture.
    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
