using System.ComponentModel;
using System.Globalization;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>bench provision</c>: provisions pairs (and a topology of three standbys) one after another and prints
/// per-phase medians, with a bare shell script doing the same steps on the same machine run after each (so drift falls on both), and prints the ratio.
/// </summary>
[Description("Benchmark provisioning (a pair, a topology of three standbys) against bare shell scripts.")]
internal sealed class BenchProvisionCommand(IAnsiConsole console) : AsyncCommand<BenchProvisionSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchProvisionSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions(TimeoutMultiplier.None);
        var drive = new DriveInfo(Directory.CreateDirectory(options.WorkDirectory).FullName);
        // Each case's "ready" median and restore floor, so the topology from a snapshot is held against the pair from one.
        var readies = new Dictionary<string, (double Ready, double? Floor)>(StringComparer.Ordinal);
        foreach (var benchCase in ProvisionBenchCase.All.Where(c => settings.Case is "all" || settings.Case == c.Name))
        {
            console.MarkupLine($"provisioning {settings.Pairs} {benchCase.Name}(s) of {benchCase.Servers} servers in {Markup.Escape(options.WorkDirectory)} ({Markup.Escape(drive.DriveFormat)}), {Environment.ProcessorCount} cores, "
                + (benchCase.Snapshot ? "from a snapshot" : "with base backups"));
            var provisioner = new LocalProvisioner(options with { Snapshots = benchCase.Snapshot });
            readies[benchCase.Name] = await MeasureAsync(provisioner, benchCase, settings, cancellationToken).ConfigureAwait(false);
            if (benchCase == ProvisionBenchCase.Topology3Snapshot && readies.TryGetValue(ProvisionBenchCase.PairSnapshot.Name, out var pair))
            {
                var topology = readies[benchCase.Name];
                // The floor's ratio says what the machine allows: on two cores, four servers' copies and starts take
                // about twice two servers', whatever runs them.
                var floor = topology.Floor is { } f && pair.Floor is { } p ? $"; bare restore floors' ratio on this machine: {f / p:0.00}x" : "";
                console.MarkupLine($"[bold]topology / pair, both from snapshots: {topology.Ready / pair.Ready:0.00}x[/] (target: at most 1.50x){floor}");
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// Provisions the case's topology again and again and prints its phases; returns its "ready" median in ms, and for a
    /// snapshot case the bare restore floor's.
    /// </summary>
    private async Task<(double Ready, double? Floor)> MeasureAsync(LocalProvisioner provisioner, ProvisionBenchCase benchCase, BenchProvisionSettings settings, CancellationToken cancellationToken)
    {
        // One untimed run first: it builds the template (and for a snapshot case the snapshot) if needed and warms the
        // page cache, as every later run finds it.
        TimeSpan? initdb = null;
        // A shape's second build saves its snapshot: a snapshot case warms up twice.
        for (var warmUp = 0; warmUp < (benchCase.Snapshot ? 2 : 1); warmUp++)
        {
            await using var warm = (LocalPair)await provisioner.ProvisionAsync(benchCase.Topology, cancellationToken: cancellationToken).ConfigureAwait(false);
            initdb ??= warm.Timings.FirstOrDefault(t => t.Phase == ProvisionPhases.Initdb)?.Elapsed;
        }

        // The topology from a snapshot is held against the pair from one, not against a script.
        var bareRun = settings.NoBare || benchCase == ProvisionBenchCase.Topology3Snapshot ? null : await PrepareBareAsync(provisioner.Options, benchCase.Script, benchCase.Servers, TemplateSource, cancellationToken).ConfigureAwait(false);
        var floorRun = settings.NoBare || !benchCase.Snapshot ? null : await PrepareBareAsync(provisioner.Options, RestoreFloorScript, benchCase.Servers, (binaries, _, _, _) => Task.FromResult(SnapshotOf(provisioner, benchCase, binaries)), cancellationToken).ConfigureAwait(false);
        var samples = new List<IReadOnlyList<PhaseTiming>>();
        var bare = new List<(double Ready, double Teardown)>();
        var floors = new List<double>();
        for (var i = 0; i < settings.Pairs; i++)
        {
            var pair = (LocalPair)await provisioner.ProvisionAsync(benchCase.Topology, cancellationToken: cancellationToken).ConfigureAwait(false);
            await pair.DisposeAsync().ConfigureAwait(false);
            // A restore that failed falls back to base backups and says so only in its progress: timed, it would pass
            // for a slow restore.
            if (benchCase.Snapshot && !pair.Timings.Any(t => t.Phase == ProvisionPhases.SnapshotCopy))
            {
                throw new ProvisioningException($"round {i + 1} of the {benchCase.Name} case was not restored from its snapshot (built with {string.Join(", ", pair.Timings.Select(t => t.Phase).Distinct())})",
                    $"run 'replication-harness doctor' and a scenario with --keep-failures to see why the snapshot could not be restored", provisioner.Options.SnapshotRoot);
            }
            samples.Add([.. pair.Timings, new PhaseTiming(ProvisionPhases.Teardown, pair.TeardownTime!.Value)]);
            // The script right after, round by round: a shared machine's drift (the disk's write-back, a neighbour's
            // load) falls on both sides alike instead of on one block of five.
            if (bareRun is not null)
                bare.Add(await bareRun(cancellationToken).ConfigureAwait(false));
            if (floorRun is not null)
                floors.Add((await floorRun(cancellationToken).ConfigureAwait(false)).Ready);
        }

        // A topology times each phase once per tier (direct standbys, then cascading ones): a phase's figure is their sum.
        var table = new Table().AddColumn("phase").AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("min ms").RightAligned()).AddColumn(new TableColumn("max ms").RightAligned());
        foreach (var phase in ProvisionPhases.All.Where(p => p != ProvisionPhases.Initdb))
        {
            var values = samples.Select(s => s.Where(t => t.Phase == phase).Sum(t => t.Elapsed.TotalMilliseconds)).ToList();
            table.AddRow(phase, Ms(Median(values)), Ms(values.Min()), Ms(values.Max()));
        }
        var ready = samples.Select(s => s.Where(t => t.Phase is not ProvisionPhases.Initdb and not ProvisionPhases.Teardown).Sum(t => t.Elapsed.TotalMilliseconds)).ToList();
        table.AddRow($"[bold]{benchCase.ReadyLabel}[/]", $"[bold]{Ms(Median(ready))}[/]", Ms(ready.Min()), Ms(ready.Max()));
        console.Write(table);
        if (initdb is { } spent)
            console.MarkupLine($"initdb for the template (first run only): {Ms(spent.TotalMilliseconds)} ms");

        double? floor = floors.Count > 0 ? Median(floors) : null;
        if (floor is not null)
            console.MarkupLine($"bare restore floor ({RestoreFloorScript}: every node copied from the snapshot and started, nothing else), a run after each of the harness's: every server accepting connections {Ms(floor.Value)} ms (medians of {floors.Count})");
        if (bareRun is null)
            return (Median(ready), floor);
        var bareReady = Median(bare.Select(b => b.Ready).ToList());
        var bareTeardown = Median(bare.Select(b => b.Teardown).ToList());
        console.MarkupLine($"bare shell script ({benchCase.Script}, base backups), same machine, a run after each of the harness's: {benchCase.ReadyLabel} {Ms(bareReady)} ms, teardown {Ms(bareTeardown)} ms (medians of {bare.Count})");
        console.MarkupLine($"[bold]harness / bare, {benchCase.ReadyLabel}: {Median(ready) / bareReady:0.00}x[/] (target: at most {(benchCase.Snapshot ? "0.50" : "1.20")}x)");
        return (Median(ready), floor);
    }

    private const string RestoreFloorScript = "bare-restore.sh";

    /// <summary>What a base-backup script starts from: the template's data directory.</summary>
    private static async Task<string> TemplateSource(PostgresBinaries binaries, ServerAccount account, LocalProvisionerOptions options, CancellationToken cancellationToken) =>
        (await TemplateCache.GetOrCreateAsync(binaries, account, options.WorkDirectory, null, cancellationToken).ConfigureAwait(false)).DataDirectory;

    /// <summary>The case's snapshot, which its untimed warm-up runs saved.</summary>
    private static string SnapshotOf(LocalProvisioner provisioner, ProvisionBenchCase benchCase, PostgresBinaries binaries) =>
        provisioner.FindSnapshot(benchCase.Topology, binaries)
        ?? throw new ProvisioningException($"the {benchCase.Name} case's snapshot was not saved by its warm-up runs", "run with --no-bare to skip the floor, and report this", provisioner.Options.SnapshotRoot);

    /// <summary>One run of the case's bare shell script, ready to be called (binaries, account and template found once).</summary>
    /// <param name="options">Where the runs go, which binaries and account.</param>
    /// <param name="scriptName">The script under <c>Benchmarks/</c>.</param>
    /// <param name="servers">How many ports it takes.</param>
    /// <param name="source">The data directory it starts from: the template, or a snapshot.</param>
    /// <param name="cancellationToken">Stops the preparation.</param>
    private static async Task<Func<CancellationToken, Task<(double Ready, double Teardown)>>> PrepareBareAsync(LocalProvisionerOptions options, string scriptName, int servers,
        Func<PostgresBinaries, ServerAccount, LocalProvisionerOptions, CancellationToken, Task<string>> source, CancellationToken cancellationToken)
    {
        var binaries = await PostgresBinariesLocator.FindAsync(options.BinDirectory, options.MajorVersion, cancellationToken).ConfigureAwait(false);
        var account = await ServerAccount.ResolveAsync(options.OsUser, cancellationToken).ConfigureAwait(false);
        var from = await source(binaries, account, options, cancellationToken).ConfigureAwait(false);
        var script = Path.Combine(AppContext.BaseDirectory, "Benchmarks", scriptName);
        return async token =>
        {
            var ports = new List<PortReservation>();
            try
            {
                for (var p = 0; p < servers; p++)
                    ports.Add(PortReservation.Acquire(Path.Combine(options.WorkDirectory, "ports"), ports.Select(r => r.Port).ToArray()));
                var result = await CommandRunner.RunAsync("bash",
                    [script, binaries.BinDirectory, from, RunDirectory.RunsRoot(options.WorkDirectory), account.UserName ?? "-", .. ports.Select(r => r.Port.ToString(CultureInfo.InvariantCulture))],
                    ServerAccount.Current, cancellationToken: token).ConfigureAwait(false);
                var numbers = result.StandardOutput.Trim().Split(' ');
                if (result.ExitCode != 0 || numbers.Length != 2)
                    throw new ProvisioningException("the bare benchmark script failed", "run it by hand to see why", $"{result.CommandLine}: exit {result.ExitCode}: {result.Tail()}");
                return (double.Parse(numbers[0], CultureInfo.InvariantCulture), double.Parse(numbers[1], CultureInfo.InvariantCulture));
            }
            finally
            {
                foreach (var port in ports)
                    port.Dispose();
            }
        };
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(double milliseconds) => milliseconds.ToString("0", CultureInfo.InvariantCulture);
}
