using System.ComponentModel;
using ReplicationHarness.Cli.Cluster;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>run</c>.</summary>
internal sealed class RunSettings : LocalPairSettings
{
    [CommandArgument(0, "<paths>")]
    [Description("Scenario files (*.yaml, *.yml) or directories holding them.")]
    public string[] Paths { get; init; } = [];

    [CommandOption("--report-dir <DIR>")]
    [Description("Where report.json goes (default: reports/<UTC timestamp>).")]
    public string? ReportDir { get; init; }

    [CommandOption("--provisioner <KIND>")]
    [Description("local (default), testcontainers or external; overrides the scenarios' own.")]
    public string? Provisioner { get; init; }

    [CommandOption("--primary <CONNECTION>")]
    [Description("External pair: the primary, as host=... port=... user=... dbname=... (default: HARNESS_PRIMARY). The password comes from HARNESS_PRIMARY_PASSWORD or a passfile, never from here.")]
    public string? Primary { get; init; }

    [CommandOption("--standby <CONNECTION>")]
    [Description("External pair: the standby (default: HARNESS_STANDBY); password from HARNESS_STANDBY_PASSWORD or a passfile.")]
    public string? Standby { get; init; }

    [CommandOption("--allow-destructive")]
    [Description("External pair: allow steps that change server settings or pause replay.")]
    public bool AllowDestructive { get; init; }

    [CommandOption("-p|--parallel <N>")]
    [Description("Run up to N scenarios at once, each on its own pair; one merged report (default 1).")]
    public int Parallel { get; init; } = 1;

    [CommandOption("--reuse")]
    [Description("Developer loops: a local pair serves the next scenario of the same shape after a verified reset (a scenario that fails, promotes or rebuilds a node gets a fresh pair after it). Nightly runs keep fresh pairs.")]
    public bool Reuse { get; init; }

    [CommandOption("--cluster <SEED>")]
    [Description("Spread the scenarios over the workers of the cluster whose seed is HOST:PORT (see 'worker'); one merged report naming each scenario's worker.")]
    public string? Cluster { get; init; }

    [CommandOption("--listen <HOST:PORT>")]
    [Description("With --cluster: where this coordinator listens (default 127.0.0.1:0, a free port on loopback). Any other address needs HARNESS_CLUSTER_SECRET.")]
    public string Listen { get; init; } = "127.0.0.1:0";

    [CommandOption("--retry-lost")]
    [Description("With --cluster: a scenario whose worker is lost mid-run (killed, network cut) runs once more on another worker instead of being reported as 'worker lost'.")]
    public bool RetryLost { get; init; }

    [CommandOption("--wait-for-workers <SECONDS>")]
    [Description("With --cluster: how long scenarios wait for a worker that can run them before they are reported as not run (default 60).")]
    public int WaitForWorkers { get; init; } = 60;

    public override ValidationResult Validate()
    {
        if (Cluster is null && (RetryLost || Listen != "127.0.0.1:0" || WaitForWorkers != 60))
            return ValidationResult.Error("--listen, --retry-lost and --wait-for-workers go with --cluster SEED");
        if (Cluster is not null)
        {
            if (!ClusterAddress.TryParse(Cluster, out _, out var error) || !ClusterAddress.TryParse(Listen, out _, out error))
                return ValidationResult.Error(error);
            if (Reuse || Parallel > 1)
                return ValidationResult.Error("--cluster spreads the scenarios over the workers' slots: --reuse and --parallel do not apply to it");
            // Each of these would change how pairs are made, and the workers make them: silently ignored, a verdict would
            // claim what it did not test (a PostgreSQL version, for one).
            var workers = new (bool Given, string Option)[]
            {
                (PgBinDir is not null, "--pg-bindir"), (PgVersion is not null, "--pg-version"), (OsUser is not null, "--os-user"), (WorkDir is not null, "--work-dir"),
                (KeepFailures, "--keep-failures"), (NoSnapshot, "--no-snapshot"), (ArtifactsDir != "artifacts", "--artifacts-dir"),
                (AllowDestructive || Primary is not null || Standby is not null || Provisioner == "external", "an external pair (--provisioner external, --primary, --standby, --allow-destructive)"),
            }.Where(o => o.Given).Select(o => o.Option).ToList();
            if (workers.Count > 0)
                return ValidationResult.Error($"{string.Join(", ", workers)}: the workers make the pairs of a cluster run; give pair options to 'replication-harness worker' (external pairs run with plain 'run')");
            if (WaitForWorkers is < 1 or > 86400)
                return ValidationResult.Error("--wait-for-workers takes 1 to 86400 seconds");
        }
        if (Parallel is < 1 or > 32)
            return ValidationResult.Error("--parallel takes 1 to 32");
        if (Paths.Length == 0)
            return ValidationResult.Error("name at least one scenario file or directory");
        if (Provisioner is not (null or "local" or "testcontainers" or "external"))
            return ValidationResult.Error($"--provisioner '{Provisioner}' is not one of local, testcontainers, external");
        return ValidationResult.Success();
    }
}
