using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench provision</c>.</summary>
public sealed class BenchProvisionSettings : LocalPairSettings
{
    [CommandOption("-n|--pairs <N>")]
    [Description("How many pairs to provision one after another (default 5).")]
    public int Pairs { get; init; } = 5;

    [CommandOption("--no-bare")]
    [Description("Skip the bare shell script comparison.")]
    public bool NoBare { get; init; }

    public override ValidationResult Validate() =>
        Pairs is < 1 or > 100 ? ValidationResult.Error("--pairs takes 1 to 100") : ValidationResult.Success();
}
