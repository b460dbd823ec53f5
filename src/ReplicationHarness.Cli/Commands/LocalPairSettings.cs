using System.ComponentModel;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Options of commands that start local PostgreSQL servers.</summary>
internal class LocalPairSettings : CommandSettings
{
    [CommandOption("--pg-bindir <DIR>")]
    [Description("PostgreSQL's bin directory (default: HARNESS_PG_BINDIR, pg_config --bindir, PATH, usual places).")]
    public string? PgBinDir { get; init; }

    [CommandOption("--pg-version <MAJOR>")]
    [Description("Use this PostgreSQL major version (default: the newest found).")]
    public int? PgVersion { get; init; }

    [CommandOption("--os-user <USER>")]
    [Description("When run as root, the unprivileged OS user servers run as (default: HARNESS_OS_USER or postgres).")]
    public string? OsUser { get; init; }

    [CommandOption("--work-dir <DIR>")]
    [Description("Where templates and run directories live (default: HARNESS_WORK_DIR or the temp directory).")]
    public string? WorkDir { get; init; }

    [CommandOption("--keep-failures")]
    [Description("Keep logs and configs of failed pairs under --artifacts-dir.")]
    public bool KeepFailures { get; init; }

    [CommandOption("--no-snapshot")]
    [Description("Make every standby with a base backup, never from a topology snapshot (snapshots are kept per topology shape in the work directory).")]
    public bool NoSnapshot { get; init; }

    [CommandOption("--artifacts-dir <DIR>")]
    [Description("Where kept artifacts go (default: artifacts).")]
    public string ArtifactsDir { get; init; } = "artifacts";

    /// <summary>The provisioner options these settings describe.</summary>
    public LocalProvisionerOptions ToOptions(TimeoutMultiplier multiplier)
    {
        var defaults = LocalProvisionerOptions.Default;
        return defaults with
        {
            BinDirectory = PgBinDir,
            MajorVersion = PgVersion,
            OsUser = OsUser ?? defaults.OsUser,
            WorkDirectory = WorkDir is null ? defaults.WorkDirectory : Path.GetFullPath(Path.Combine(WorkDir, $"replication-harness-{Environment.UserName}")),
            KeepFailures = KeepFailures,
            ArtifactsDirectory = ArtifactsDir,
            Multiplier = multiplier,
            Snapshots = !NoSnapshot,
        };
    }
}
