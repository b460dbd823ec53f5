using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench visibility</c>.</summary>
public sealed class BenchVisibilitySettings : LocalPairSettings
{
    [CommandOption("-n|--writes <N>")]
    [Description("How many single-row writes each side measures (default 300).")]
    public int Writes { get; init; } = 300;

    public override ValidationResult Validate() =>
        Writes is < 10 or > 100_000 ? ValidationResult.Error("--writes takes 10 to 100000") : ValidationResult.Success();
}
