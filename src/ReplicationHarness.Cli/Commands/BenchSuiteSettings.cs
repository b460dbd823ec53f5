using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench suite</c>.</summary>
internal sealed class BenchSuiteSettings : CommandSettings
{
    [CommandOption("--scenarios <DIR>")]
    [Description("Where the shipped scenarios are (default: scenarios).")]
    public string Scenarios { get; init; } = "scenarios";

    [CommandOption("--rounds <N>")]
    [Description("How many times each mode runs the three seed scenarios; the median is reported. Default 3.")]
    public int Rounds { get; init; } = 3;

    [CommandOption("--verdicts")]
    [Description("Also run every scenario in the directory once in each mode and compare their verdicts (a few minutes).")]
    public bool Verdicts { get; init; }

    [CommandOption("--work-dir <DIR>")]
    [Description("The runs' work directory, where their snapshots are kept (default: HARNESS_WORK_DIR or the temp directory).")]
    public string? WorkDir { get; init; }

    [CommandOption("--report-dir <DIR>")]
    [Description("Where each run's reports and console output go (default: a temporary directory, removed after).")]
    public string? ReportDir { get; init; }

    public override ValidationResult Validate() =>
        Rounds is < 1 or > 20 ? ValidationResult.Error("--rounds takes 1 to 20")
        : !Directory.Exists(Scenarios) ? ValidationResult.Error($"--scenarios: no directory '{Scenarios}' (run from the checkout, or name the scenarios directory)")
        : ValidationResult.Success();
}
