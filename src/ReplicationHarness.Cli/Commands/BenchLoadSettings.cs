using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench load</c>.</summary>
internal sealed class BenchLoadSettings : LocalPairSettings
{
    [CommandOption("-d|--duration <SECONDS>")]
    [Description("How long each side writes per round (default 10).")]
    public int Seconds { get; init; } = 10;

    [CommandOption("-r|--rounds <N>")]
    [Description("Rounds, each side once per round, alternating; medians are compared (default 3).")]
    public int Rounds { get; init; } = 3;

    [CommandOption("-b|--batch <ROWS>")]
    [Description("Rows per transaction on both sides (default 10).")]
    public int Batch { get; init; } = 10;

    public override ValidationResult Validate() =>
        Seconds is < 1 or > 600 || Batch is < 1 or > 10_000 || Rounds is < 1 or > 20
            ? ValidationResult.Error("--duration takes 1 to 600, --batch 1 to 10000, --rounds 1 to 20")
            : ValidationResult.Success();
}
