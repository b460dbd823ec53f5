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
/// <c>bench provision</c>: provisions pairs one after another and prints per-phase medians, then runs
/// a bare shell script doing the same steps on the same machine and prints the ratio.
/// </summary>
[Description("Benchmark pair provisioning against a bare shell script.")]
public sealed class BenchProvisionCommand(IAnsiConsole console) : AsyncCommand<BenchProvisionSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchProvisionSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions(TimeoutMultiplier.None);
        var provisioner = new LocalProvisioner(options);
        var samples = new List<IReadOnlyList<PhaseTiming>>();
        var drive = new DriveInfo(Directory.CreateDirectory(options.WorkDirectory).FullName);
        console.MarkupLine($"provisioning {settings.Pairs} pair(s) in {Markup.Escape(options.WorkDirectory)} ({Markup.Escape(drive.DriveFormat)}), {Environment.ProcessorCount} cores");

        // One untimed pair first: it builds the template if needed and warms the page cache, as every later run finds it.
        TimeSpan? initdb = null;
        await using (var warm = (LocalPair)await provisioner.ProvisionAsync(PairSpec.Default, cancellationToken: cancellationToken).ConfigureAwait(false))
            initdb = warm.Timings.FirstOrDefault(t => t.Phase == ProvisionPhases.Initdb)?.Elapsed;

        for (var i = 0; i < settings.Pairs; i++)
        {
            var pair = (LocalPair)await provisioner.ProvisionAsync(PairSpec.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
            await pair.DisposeAsync().ConfigureAwait(false);
            samples.Add([.. pair.Timings, new PhaseTiming(ProvisionPhases.Teardown, pair.TeardownTime!.Value)]);
        }

        var table = new Table().AddColumn("phase").AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("min ms").RightAligned()).AddColumn(new TableColumn("max ms").RightAligned());
        foreach (var phase in ProvisionPhases.All.Where(p => p != ProvisionPhases.Initdb))
        {
            var values = samples.Select(s => s.Where(t => t.Phase == phase).Sum(t => t.Elapsed.TotalMilliseconds)).ToList();
            table.AddRow(phase, Ms(Median(values)), Ms(values.Min()), Ms(values.Max()));
        }
        var ready = samples.Select(s => s.Where(t => t.Phase is not ProvisionPhases.Initdb and not ProvisionPhases.Teardown).Sum(t => t.Elapsed.TotalMilliseconds)).ToList();
        table.AddRow("[bold]pair ready[/]", $"[bold]{Ms(Median(ready))}[/]", Ms(ready.Min()), Ms(ready.Max()));
        console.Write(table);
        if (initdb is { } spent)
            console.MarkupLine($"initdb for the template (first run only): {Ms(spent.TotalMilliseconds)} ms");

        if (settings.NoBare)
            return ExitCodes.Success;
        var bare = await RunBareAsync(options, settings.Pairs, cancellationToken).ConfigureAwait(false);
        var bareReady = Median(bare.Select(b => b.Ready).ToList());
        var bareTeardown = Median(bare.Select(b => b.Teardown).ToList());
        console.MarkupLine($"bare shell script, same steps, same machine: pair ready {Ms(bareReady)} ms, teardown {Ms(bareTeardown)} ms (medians of {bare.Count})");
        console.MarkupLine($"[bold]harness / bare, pair ready: {Median(ready) / bareReady:0.00}x[/] (target: at most 1.20x)");
        return ExitCodes.Success;
    }

    private static async Task<List<(double Ready, double Teardown)>> RunBareAsync(LocalProvisionerOptions options, int runs, CancellationToken cancellationToken)
    {
        var binaries = await PostgresBinariesLocator.FindAsync(options.BinDirectory, options.MajorVersion, cancellationToken).ConfigureAwait(false);
        var account = await ServerAccount.ResolveAsync(options.OsUser, cancellationToken).ConfigureAwait(false);
        var (template, _) = await TemplateCache.GetOrCreateAsync(binaries, account, options.WorkDirectory, null, cancellationToken).ConfigureAwait(false);
        var script = Path.Combine(AppContext.BaseDirectory, "Benchmarks", "bare-pair.sh");
        var results = new List<(double, double)>();
        for (var i = 0; i < runs; i++)
        {
            using var first = PortReservation.Acquire(Path.Combine(options.WorkDirectory, "ports"));
            using var second = PortReservation.Acquire(Path.Combine(options.WorkDirectory, "ports"), [first.Port]);
            var result = await CommandRunner.RunAsync("bash",
                [script, binaries.BinDirectory, template, RunDirectory.RunsRoot(options.WorkDirectory), account.UserName ?? "-", first.Port.ToString(CultureInfo.InvariantCulture), second.Port.ToString(CultureInfo.InvariantCulture)],
                ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
            var numbers = result.StandardOutput.Trim().Split(' ');
            if (result.ExitCode != 0 || numbers.Length != 2)
                throw new ProvisioningException("the bare benchmark script failed", "run it by hand to see why", $"{result.CommandLine}: exit {result.ExitCode}: {result.Tail()}");
            results.Add((double.Parse(numbers[0], CultureInfo.InvariantCulture), double.Parse(numbers[1], CultureInfo.InvariantCulture)));
        }
        return results;
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(double milliseconds) => milliseconds.ToString("0", CultureInfo.InvariantCulture);
}
