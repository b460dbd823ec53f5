using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench history</c>.</summary>
internal sealed class BenchHistorySettings : CommandSettings
{
    [CommandOption("--operations <N>")]
    [Description("Completed operations in the made-up history (each an invocation and its completion). Default 100000.")]
    public int Operations { get; init; } = 100_000;

    [CommandOption("--rounds <N>")]
    [Description("How many times to check it; the median is reported. Default 5.")]
    public int Rounds { get; init; } = 5;

    public override ValidationResult Validate() =>
        Operations < 1 ? ValidationResult.Error("--operations must be at least 1")
        : Rounds < 1 ? ValidationResult.Error("--rounds must be at least 1")
        : ValidationResult.Success();
}
