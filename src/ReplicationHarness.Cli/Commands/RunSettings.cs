using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>run</c>.</summary>
public sealed class RunSettings : LocalPairSettings
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

    public override ValidationResult Validate()
    {
        if (Paths.Length == 0)
            return ValidationResult.Error("name at least one scenario file or directory");
        if (Provisioner is not (null or "local" or "testcontainers" or "external"))
            return ValidationResult.Error($"--provisioner '{Provisioner}' is not one of local, testcontainers, external");
        return ValidationResult.Success();
    }
}
