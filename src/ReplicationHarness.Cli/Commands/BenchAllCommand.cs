using System.ComponentModel;
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>bench all</c>: the three benchmarks in one run on one machine (provisioning against a bare script,
/// time-to-visible against a bare probe, writer load against pgbench), then the process's peak memory.
/// </summary>
[Description("Run every benchmark in one go and print the ratios and the peak memory.")]
internal sealed class BenchAllCommand(IAnsiConsole console) : AsyncCommand<BenchAllSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchAllSettings settings, CancellationToken cancellationToken)
    {
        console.MarkupLine($"[bold]machine:[/] {Environment.ProcessorCount} cores, {Markup.Escape(System.Runtime.InteropServices.RuntimeInformation.OSDescription)}, .NET {Environment.Version}");
        var shared = (LocalPairSettings)settings;
        console.MarkupLine("[bold]== provisioning ==[/]");
        var code = await new BenchProvisionCommand(console).ExecuteAsync(context, Copy<BenchProvisionSettings>(shared), cancellationToken).ConfigureAwait(false);
        console.MarkupLine("[bold]== time to visible ==[/]");
        code = Math.Max(code, await new BenchVisibilityCommand(console).ExecuteAsync(context, Copy<BenchVisibilitySettings>(shared), cancellationToken).ConfigureAwait(false));
        console.MarkupLine("[bold]== writer load ==[/]");
        code = Math.Max(code, await new BenchLoadCommand(console).ExecuteAsync(context, Copy<BenchLoadSettings>(shared), cancellationToken).ConfigureAwait(false));
        console.MarkupLine("[bold]== memory ==[/]");
        using var self = Process.GetCurrentProcess();
        console.MarkupLine($"[bold]peak working set of the harness process: {self.PeakWorkingSet64 / (1024.0 * 1024):0} MiB[/] (GC heap now {GC.GetTotalMemory(false) / (1024.0 * 1024):0} MiB)");
        return code;
    }

    private static T Copy<T>(LocalPairSettings from) where T : LocalPairSettings, new() => new()
    {
        PgBinDir = from.PgBinDir,
        PgVersion = from.PgVersion,
        OsUser = from.OsUser,
        WorkDir = from.WorkDir,
    };
}
