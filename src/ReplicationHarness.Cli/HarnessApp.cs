using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ReplicationHarness.Cli.Commands;
using ReplicationHarness.Cli.Infrastructure;
using ReplicationHarness.Provisioning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli;

/// <summary>The <c>replication-harness</c> command line: its commands, help, version and exit codes.</summary>
internal static class HarnessApp
{
    /// <summary>The command's name as users type it.</summary>
    public const string Name = "replication-harness";

    /// <summary>The harness's version, from the assembly (without the source revision).</summary>
    public static string Version { get; } =
        (typeof(HarnessApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>Runs one command line against a console; returns the exit code.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, IAnsiConsole console, CancellationToken cancellationToken = default) =>
        RunAsync(args, console, new ProvisionerFactory(), cancellationToken);

    /// <summary>Runs one command line against a console, <c>run</c> taking its provisioners from the given factory; returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IAnsiConsole console, ProvisionerFactory provisioners, CancellationToken cancellationToken = default)
    {
        var services = new ServiceCollection();
        services.AddSingleton(console);
        services.AddSingleton(provisioners);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName(Name);
            config.SetApplicationVersion(Version);
            config.ConfigureConsole(console);
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check scenario files and report every error with file, line, column and YAML path.")
                .WithExample("validate", "scenarios/")
                .WithExample("validate", "scenarios/single-insert.yaml", "my-scenario.yaml");
            config.AddCommand<ListCommand>("list")
                .WithDescription("List the scenarios in files or directories with their description and tags.")
                .WithExample("list", "scenarios/");
            config.AddCommand<RunCommand>("run")
                .WithDescription("Run scenarios against fresh primary/standby pairs, judge their thresholds, write report.json.")
                .WithExample("run", "scenarios/")
                .WithExample("run", "scenarios/single-insert.yaml", "--report-dir", "out", "--keep-failures");
            config.AddCommand<WorkerCommand>("worker")
                .WithDescription("Join a cluster and run the scenarios its coordinator (run --cluster) hands out, until Ctrl-C.")
                .WithExample("worker", "--listen", "127.0.0.1:4053")
                .WithExample("worker", "--listen", "127.0.0.1:4054", "--join", "127.0.0.1:4053", "--slots", "2");
            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Compare two report.json files: new failures, time-to-visible p95 drift; exit 1 on a regression.")
                .WithExample("compare", "baseline/report.json", "reports/latest/report.json", "--max-p95-drift", "50");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Check what the provisioners need here: binaries, OS user, work directory, ports, Docker engine.");
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Benchmarks that print numbers from this machine.");
                bench.AddCommand<BenchProvisionCommand>("provision")
                    .WithDescription("Provision N pairs, print per-phase medians, and compare with a bare shell script doing the same steps.")
                    .WithExample("bench", "provision", "--pairs", "5");
                bench.AddCommand<BenchVisibilityCommand>("visibility")
                    .WithDescription("Time-to-visible of single-row commits: a bare Npgsql probe against the harness's actors, on one pair.")
                    .WithExample("bench", "visibility", "--writes", "300");
                bench.AddCommand<BenchLoadCommand>("load")
                    .WithDescription("Rows/s of the writer load against pgbench doing the same inserts on the same pair.")
                    .WithExample("bench", "load", "--duration", "10");
                bench.AddCommand<BenchHistoryCommand>("history")
                    .WithDescription("Time the read checks (read-your-writes, monotonic reads, staleness, write accounting) over a made-up history.")
                    .WithExample("bench", "history", "--operations", "100000");
                bench.AddCommand<BenchSuiteCommand>("suite")
                    .WithExample("bench", "suite", "--rounds", "3");
                bench.AddCommand<BenchClusterCommand>("cluster")
                    .WithDescription("The coordinator's overhead: 200 simulated scenarios on 20 simulated workers over Akka.Remote; --real: a 1-worker cluster against a plain run.")
                    .WithExample("bench", "cluster")
                    .WithExample("bench", "cluster", "--real", "scenarios", "--rounds", "3");
                bench.AddCommand<BenchAllCommand>("all")
                    .WithDescription("Every benchmark in one run: ratios against the bare floor and pgbench, and the peak memory.")
                    .WithExample("bench", "all");
            });
            config.SetExceptionHandler((exception, _) => HandleException(exception, console));
        });

        try
        {
            var code = await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
            return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : code;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    private static int HandleException(Exception exception, IAnsiConsole console)
    {
        switch (exception)
        {
            case OperationCanceledException:
                console.MarkupLine("[yellow]interrupted[/]");
                return ExitCodes.Interrupted;
            case ProvisioningException infrastructure:
                foreach (var line in ScenarioConsole.ErrorLines(infrastructure))
                    console.MarkupLine(line);
                return ExitCodes.InfrastructureError;
            case CommandAppException usage:
                console.MarkupLine($"[red]error:[/] {Markup.Escape(usage.Message)}");
                console.MarkupLine($"  fix: run '{Name} --help' or '{Name} <command> --help' for the usage");
                return ExitCodes.InvalidInput;
            default:
                console.MarkupLine($"[red]error:[/] {Markup.Escape(exception.Message)}");
                console.MarkupLine("  fix: this is a fault in the harness itself; please report it with the details below");
                console.MarkupLine($"  Details: {Markup.Escape(exception.GetType().FullName ?? "exception")}");
                return ExitCodes.InfrastructureError;
        }
    }
}
