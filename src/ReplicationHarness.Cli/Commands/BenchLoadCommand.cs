using System.ComponentModel;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary><c>bench load</c>: the writer load's rows/s against pgbench's on the same pair.</summary>
[Description("Compare the writer load's rows/s with pgbench's on the same pair.")]
internal sealed class BenchLoadCommand(IAnsiConsole console) : AsyncCommand<BenchLoadSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchLoadSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions(TimeoutMultiplier.None);
        var binaries = await PostgresBinariesLocator.FindAsync(options.BinDirectory, options.MajorVersion, cancellationToken).ConfigureAwait(false);
        await using var pair = await new LocalProvisioner(options).ProvisionAsync(PairSpec.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"pair ready: PostgreSQL {Markup.Escape(pair.ServerVersion)} on {Markup.Escape(pair.Storage ?? "?")}, {Environment.ProcessorCount} cores; "
            + $"{settings.Rounds} rounds of {settings.Seconds} s per side, alternating, after a {LoadBenchmark.WarmUpSeconds} s warm-up each; {settings.Batch} rows per transaction");

        var rounds = await LoadBenchmark.CompareAsync(pair, binaries.Tool("pgbench"), settings.Seconds, settings.Batch, settings.Rounds, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < rounds.Count; i++)
            console.MarkupLine($"round {i + 1}: writer load {rounds[i].Harness:N0} rows/s, pgbench {rounds[i].Pgbench:N0} rows/s ({rounds[i].Harness / rounds[i].Pgbench:0.00}x)");
        var harness = BenchProvisionCommand.Median(rounds.Select(r => r.Harness));
        var pgbench = BenchProvisionCommand.Median(rounds.Select(r => r.Pgbench));
        console.MarkupLine($"writer load (Bogus rows, {WriterLoadActor.MaxInFlight} batches in flight), median: {harness:N0} rows/s");
        console.MarkupLine($"pgbench -c{WriterLoadActor.MaxInFlight} -j2, the same inserts, median: {pgbench:N0} rows/s");
        console.MarkupLine($"[bold]harness / pgbench: {harness / pgbench:0.00}x[/] (target: at least 0.90x)");
        return ExitCodes.Success;
    }
}
