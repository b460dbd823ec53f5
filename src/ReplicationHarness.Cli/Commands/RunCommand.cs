using System.ComponentModel;
using System.Diagnostics;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.External;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Verification;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>run</c>: validates every scenario first (nothing starts when one is invalid), then for each one
/// provisions a fresh pair, runs it with the actors, tears the pair down, and writes report.json.
/// </summary>
[Description("Run scenarios against fresh primary/standby pairs and judge their thresholds.")]
internal sealed class RunCommand(IAnsiConsole console, ProvisionerFactory provisioners) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        if (ScenarioConsole.TimeoutMultiplierOrReport(console) is not { } multiplier)
            return ExitCodes.InvalidInput;
        var loaded = await ScenarioCatalog.LoadAsync(settings.Paths, cancellationToken).ConfigureAwait(false);
        if (loaded.Any(r => !r.IsValid))
        {
            ScenarioConsole.PrintErrors(console, loaded);
            console.MarkupLine("[red]nothing was run: fix the scenario files above (replication-harness validate checks them)[/]");
            return ExitCodes.InvalidInput;
        }

        if (settings.Cluster is null && loaded.SelectMany(r => r.Scenarios).Where(s => s.Topology.IsHosted).ToList() is { Count: > 0 } acrossHosts)
        {
            foreach (var scenario in acrossHosts.DistinctBy(s => s.SourcePath))
                console.MarkupLine($"[red]error:[/] {Markup.Escape(scenario.SourcePath)}: {Markup.Escape(scenario.Name)} places its nodes on workers ({Markup.Escape(string.Join(", ", scenario.Topology.Hosts.Select(h => $"{h.Node} on {h.Host}")))})");
            console.MarkupLine("  fix: run it with --cluster SEED and those workers joined (replication-harness worker --name NAME), or drop the nodes' 'host:'");
            console.MarkupLine("[red]nothing was run[/]");
            return ExitCodes.InvalidInput;
        }
        var kinds = loaded.SelectMany(r => r.Scenarios).ToDictionary(s => s, s => settings.Provisioner ?? s.Topology.Provisioner.ToString().ToLowerInvariant());
        ExternalPairOptions? external = null;
        if (kinds.Values.Contains("external"))
        {
            try
            {
                external = ExternalOptions(settings);
            }
            catch (ProvisioningException ex)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
                console.MarkupLine($"  fix: {Markup.Escape(ex.Fix)}");
                return ExitCodes.InvalidInput;
            }
            var refused = kinds.Where(k => k.Value == "external")
                .SelectMany(k => ExternalSafety.Check(k.Key, settings.AllowDestructive).Select(problem => $"{k.Key.SourcePath}: {problem}")).Distinct().ToList();
            if (refused.Count > 0)
            {
                foreach (var problem in refused)
                    console.MarkupLine($"[red]{Markup.Escape(problem)}[/]");
                console.MarkupLine("[red]nothing was run: these steps would change servers the harness does not own[/]");
                return ExitCodes.InvalidInput;
            }
        }

        var startedAt = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        var reportDir = settings.ReportDir ?? Path.Combine("reports", startedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var options = settings.ToOptions(multiplier);
        var engine = new ScenarioEngine(ScenarioRunOptions.Default with { Multiplier = multiplier });
        IReadOnlyList<ScenarioReport> reports = [];
        var secrets = new List<string>();
        var interrupted = false;

        var scenarios = loaded.SelectMany(r => r.Scenarios).ToList();
        if (settings.Cluster is not null)
        {
            if (await ClusterRun.RunAsync(console, settings, scenarios, kinds, multiplier, cancellationToken).ConfigureAwait(false) is not { } onCluster)
                return ExitCodes.InvalidInput;
            return await ReportAsync(onCluster.Reports, startedAt, stopwatch, reportDir, onCluster.Secrets, cancellationToken.IsCancellationRequested, cancellationToken).ConfigureAwait(false);
        }
        var slots = new ScenarioReport?[scenarios.Count];
        // Only local pairs are reused: the harness owns them and reads their logs by section.
        await using var reusable = settings.Reuse ? new ReusablePairs(scenarios.Where(s => kinds[s] == "local").Select(s => s.Topology)) : null;
        if (settings.Reuse && scenarios.Any(s => kinds[s] != "local"))
            console.MarkupLine("[grey]--reuse keeps local pairs only: the other scenarios run as without it[/]");
        var parallel = settings.Parallel > 1;
        // Each scenario has its own pair: ports, directories and slots never clash (port locks, run directories).
        await Parallel.ForEachAsync(Enumerable.Range(0, scenarios.Count), new ParallelOptions { MaxDegreeOfParallelism = settings.Parallel }, async (index, _) =>
        {
            var scenario = scenarios[index];
            if (cancellationToken.IsCancellationRequested)
            {
                slots[index] = ReportBuilder.NotRun(scenario.Name, scenario.SourcePath, "interrupted before it started");
                return;
            }
            var live = new RunConsole(console, parallel ? $"[blue]{Markup.Escape(scenario.Name)}[/] " : "");
            if (parallel)
                live.Line($"[bold]starting[/] [grey]({Markup.Escape(scenario.SourcePath)})[/]");
            else
                console.MarkupLine($"[bold]{Markup.Escape(scenario.Name)}[/] [grey]({Markup.Escape(scenario.SourcePath)})[/]");
            try
            {
                var provisioner = provisioners.Create(kinds[scenario], options, external, multiplier);
                slots[index] = await RunOneAsync(scenario, kinds[scenario], provisioner, options, engine, live, secrets, kinds[scenario] == "local" ? reusable : null, multiplier, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                slots[index] = ReportBuilder.NotRun(scenario.Name, scenario.SourcePath, "interrupted");
                interrupted = true;
            }
            if (!parallel)
                console.WriteLine();
        }).ConfigureAwait(false);
        // A matrix's combination carries its values, whichever way its report was made (run, failed, not run).
        reports = [.. slots.Select((r, i) => (r ?? ReportBuilder.NotRun(scenarios[i].Name, scenarios[i].SourcePath, "not run")) with { Matrix = scenarios[i].Matrix })];
        if (reusable is not null)
            reports = ReportBuilder.WithSharedPairs(reports);

        return await ReportAsync(reports, startedAt, stopwatch, reportDir, secrets, interrupted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the run's reports in every format, prints the summary and answers the exit code (Ctrl-C: cancelled, after the reports).</summary>
    private async Task<int> ReportAsync(IReadOnlyList<ScenarioReport> reports, DateTimeOffset startedAt, Stopwatch stopwatch, string reportDir, IEnumerable<string> secrets, bool interrupted, CancellationToken cancellationToken)
    {
        var report = new RunReport(RunReport.CurrentSchemaVersion, HarnessApp.Version, startedAt, stopwatch.Elapsed.TotalMilliseconds, ReportBuilder.Overall(reports), reports);
        var paths = await ReportWriters.WriteAllAsync(report, reportDir, secrets, CancellationToken.None).ConfigureAwait(false);
        PrintSummary(reports);
        console.MarkupLine($"reports: {Markup.Escape(string.Join(", ", paths))}");

        if (interrupted || cancellationToken.IsCancellationRequested)
            throw new OperationCanceledException(cancellationToken);
        return report.Status switch
        {
            Verdict.Error => ExitCodes.InfrastructureError,
            Verdict.Failed => ExitCodes.ScenarioFailed,
            _ => ExitCodes.Success,
        };
    }

    /// <summary>One scenario on a pair of its own (or a reused one), as <c>run</c> and a cluster worker run it: its report.</summary>
    internal static async Task<ScenarioReport> RunOneAsync(Scenario scenario, string kind, IClusterProvisioner? provisioner, LocalProvisionerOptions options, ScenarioEngine engine, RunConsole live,
        List<string> secrets, ReusablePairs? reusable, TimeoutMultiplier multiplier, CancellationToken cancellationToken)
    {
        if (provisioner is null)
        {
            var message = $"the '{kind}' provisioner is not available in this version of the harness; use --provisioner local";
            live.Line($"[red]error:[/] {Markup.Escape(message)}");
            return ReportBuilder.NotRun(scenario.Name, scenario.SourcePath, message);
        }

        var kept = reusable?.Take(scenario.Topology);
        ProvisionedPair pair;
        TimeSpan provisionTime;
        if (kept is not null)
        {
            // A reused pair cost this scenario its reset (in its report's reuse), not a build.
            pair = kept.Pair;
            provisionTime = TimeSpan.Zero;
        }
        else
        {
            var provisioning = Stopwatch.StartNew();
            try
            {
                pair = await provisioner.ProvisionAsync(scenario.Topology, live.Provisioning, cancellationToken).ConfigureAwait(false);
            }
            catch (ProvisioningException ex)
            {
                foreach (var line in ScenarioConsole.ErrorLines(ex))
                    live.Line(line);
                return ReportBuilder.NotRun(scenario.Name, scenario.SourcePath, $"{ex.Message}; fix: {ex.Fix}; Details: {ex.Details}");
            }
            provisionTime = provisioning.Elapsed;
            lock (secrets)
            {
                secrets.Add(pair.Primary.Password);
                secrets.Add(pair.Standby.Password);
            }
        }
        var keep = false;
        try
        {
            if (kept is null)
                live.Line($"[grey]pair ready in {provisionTime.TotalSeconds:0.00} s: PostgreSQL {Markup.Escape(pair.ServerVersion)}, primary :{pair.Primary.Port}, standby :{pair.Standby.Port}[/]");
            else
                live.Line($"[grey]pair reused after {Markup.Escape(string.Join(", ", kept.Scenarios))} (reset and verified in {kept.ResetTime.TotalSeconds:0.00} s): primary :{pair.Primary.Port}, standby :{pair.Standby.Port}[/]");
            // What a reset after this scenario is verified against: read when the pair is built, before any scenario.
            var baseline = kept?.Baseline;
            if (reusable is not null && kept is null && reusable.Wanted(scenario.Topology))
                baseline = await ReadBaselineAsync(pair, live, multiplier, cancellationToken).ConfigureAwait(false);
            foreach (var check in pair.ProductionChecks)
            {
                var mark = check.Status switch { CriterionStatus.Passed => "[green]ok[/]", CriterionStatus.Failed => "[yellow]warn[/]", _ => "[grey]n/a[/]" };
                live.Line($"{mark} {Markup.Escape(check.Name)}: {Markup.Escape(check.Observed)}");
            }
            var fingerprint = await FingerprintReader.ReadAsync(pair, cancellationToken).ConfigureAwait(false);
            foreach (var caveat in fingerprint.Caveats)
                live.Line($"[yellow]note:[/] {Markup.Escape(caveat)}");
            ScenarioResult result;
            try
            {
                result = await engine.RunAsync(scenario, pair, live.Steps, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                pair.MarkFailed();
                throw;
            }
            if (result.Status != Verdict.Passed)
                pair.MarkFailed();
            foreach (var (where, check) in result.Failures)
                live.Line($"[red]failed:[/] {Markup.Escape(where)}: {Markup.Escape(check.Name)} {Markup.Escape(MeasureText.Format(check.Threshold))}, observed {Markup.Escape(MeasureText.Format(check.Observed))}");
            if (result.Error is not null)
                live.Line($"[red]error:[/] {Markup.Escape(result.Error)}");
            live.Line($"{RunConsole.Verdict(result.Status)} in {result.Duration.TotalSeconds:0.00} s");
            var report = ReportBuilder.Scenario(result, pair, provisionTime, fingerprint, scenario.Observer);
            if (options.KeepFailures && result.Status != Verdict.Passed)
                live.Line($"[grey]logs and configs are kept under {Markup.Escape(Path.Combine(options.ArtifactsDirectory, pair.RunId))}[/]");
            if (reusable is null)
                return report;

            var scenarios = (kept?.Scenarios ?? []).Append(scenario.Name).ToArray();
            string after;
            if (!reusable.Wanted(scenario.Topology))
                after = NoLaterScenario;
            else if (result.Status != Verdict.Passed)
                after = "not kept: the scenario did not pass (its pair is torn down as it was, for its logs)";
            else if (baseline is null)
                after = "not kept: how it was built could not be read";
            else
            {
                try
                {
                    var reset = await PairReset.ResetAsync(pair, baseline, scenario, multiplier.Scale(ResetLimit), cancellationToken).ConfigureAwait(false);
                    keep = reset.Kept && reusable.Keep(scenario.Topology, new KeptPair(pair, baseline, scenarios, reset.Elapsed));
                    after = keep ? "kept" : reset.Kept ? NoLaterScenario : $"not kept: {reset.Reason}";
                    if (reset.Actions.Count > 0)
                        live.Line($"[grey]reset: {Markup.Escape(string.Join("; ", reset.Actions))}[/]");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The scenario's verdict stands; the run ends after it (the caller sees the token).
                    after = "not kept: the run was interrupted during its reset";
                }
            }
            live.Line(keep ? $"[grey]pair kept for the next scenario of its shape[/]" : $"[grey]pair {Markup.Escape(after)}[/]");
            // The build's phases belong to the scenario it was built for.
            var pairReport = kept is null ? report.Pair! : report.Pair! with { Phases = new Dictionary<string, double>() };
            return report with
            {
                Pair = pairReport with { Reuse = new PairReuseReport(pair.RunId, scenarios.Length, [], kept?.ResetTime.TotalMilliseconds, after) },
            };
        }
        finally
        {
            if (!keep)
                await pair.DisposeAsync().ConfigureAwait(false);
        }
    }

    private const string NoLaterScenario = "torn down: no later scenario of its shape";

    // A verified reset takes well under a second; a standby that a scenario left stopped may need a few to stream again.
    private static readonly TimeSpan ResetLimit = TimeSpan.FromSeconds(15);

    private static async Task<PairState?> ReadBaselineAsync(ProvisionedPair pair, RunConsole live, TimeoutMultiplier multiplier, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(multiplier.Scale(ResetLimit));
        try
        {
            return await PairReset.ReadAsync(pair, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The scenario still runs on its fresh pair; only its reuse is given up.
            var why = ex is OperationCanceledException ? "it took longer than the reset's limit" : ex.Message.Split('\n')[0];
            live.Line($"[yellow]note:[/] the pair will not be reused: reading how it was built failed: {Markup.Escape(SecretRedactor.Redact(why, pair.Primary.Password, pair.Standby.Password))}");
            return null;
        }
    }

    private static ExternalPairOptions ExternalOptions(RunSettings settings)
    {
        var primary = settings.Primary ?? Environment.GetEnvironmentVariable(ExternalPairOptions.PrimaryVariable);
        var standby = settings.Standby ?? Environment.GetEnvironmentVariable(ExternalPairOptions.StandbyVariable);
        if (string.IsNullOrWhiteSpace(primary) || string.IsNullOrWhiteSpace(standby))
        {
            throw new ProvisioningException(
                "the external provisioner needs the primary and the standby",
                $"pass --primary and --standby (or set {ExternalPairOptions.PrimaryVariable} and {ExternalPairOptions.StandbyVariable}) as host=... port=... user=... dbname=...",
                $"primary: {(primary is null ? "missing" : "given")}, standby: {(standby is null ? "missing" : "given")}");
        }
        return new ExternalPairOptions(
            ExternalConnection.Parse(NodeRole.Primary, primary, Environment.GetEnvironmentVariable(ExternalPairOptions.PrimaryPasswordVariable)),
            ExternalConnection.Parse(NodeRole.Standby, standby, Environment.GetEnvironmentVariable(ExternalPairOptions.StandbyPasswordVariable)),
            settings.AllowDestructive);
    }

    private void PrintSummary(IReadOnlyList<ScenarioReport> reports)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("scenario").AddColumn("status").AddColumn(new TableColumn("steps").RightAligned())
            .AddColumn(new TableColumn("visible p50").RightAligned()).AddColumn(new TableColumn("visible p99").RightAligned())
            .AddColumn(new TableColumn("max lag").RightAligned()).AddColumn(new TableColumn("time").RightAligned());
        foreach (var report in reports)
        {
            table.AddRow(
                Markup.Escape(report.Name),
                report.Status switch { Verdict.Passed => "[green]passed[/]", Verdict.Failed => "[red]failed[/]", _ => "[red]error[/]" },
                ReportText.Steps(report),
                ReportText.Micros(report.TimeToVisible?.P50),
                ReportText.Micros(report.TimeToVisible?.P99),
                ReportText.MaxLag(report.Lag),
                ReportText.Seconds(report.DurationMs));
        }
        console.Write(table);
    }
}
