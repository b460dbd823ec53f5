using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of commands that take scenario files and directories.</summary>
internal class ScenarioPathsSettings : CommandSettings
{
    [CommandArgument(0, "<paths>")]
    [Description("Scenario files (*.yaml, *.yml) or directories holding them.")]
    public string[] Paths { get; init; } = [];

    public override ValidationResult Validate() =>
        Paths.Length == 0 ? ValidationResult.Error("name at least one scenario file or directory") : ValidationResult.Success();
}
