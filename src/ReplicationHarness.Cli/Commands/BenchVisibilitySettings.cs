using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench visibility</c>.</summary>
internal sealed class BenchVisibilitySettings : LocalPairSettings
{
    [CommandOption("-n|--writes <N>")]
    [Description("How many single-row writes each side measures (default 300).")]
    public int Writes { get; init; } = 300;

    [CommandOption("--rounds <N>")]
    [Description("Alternating rounds (bare, harness, harness, bare, ...) the writes are split into, so the disk's drift falls on both sides (default 4).")]
    public int Rounds { get; init; } = 4;

    public override ValidationResult Validate() =>
        Writes is < 10 or > 100_000 ? ValidationResult.Error("--writes takes 10 to 100000")
        : Rounds is < 1 or > 100 ? ValidationResult.Error("--rounds takes 1 to 100")
        : Writes / Rounds < 5 ? ValidationResult.Error("--writes must give each round at least 5 writes")
        : ValidationResult.Success();
}
