using System.ComponentModel;
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

    public override ValidationResult Validate()
    {
        if (Parallel is < 1 or > 32)
            return ValidationResult.Error("--parallel takes 1 to 32");
        if (Paths.Length == 0)
            return ValidationResult.Error("name at least one scenario file or directory");
        if (Provisioner is not (null or "local" or "testcontainers" or "external"))
            return ValidationResult.Error($"--provisioner '{Provisioner}' is not one of local, testcontainers, external");
        return ValidationResult.Success();
    }
}
