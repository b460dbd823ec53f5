using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>compare</c>.</summary>
internal sealed class CompareSettings : CommandSettings
{
    [CommandArgument(0, "<baseline>")]
    [Description("The accepted run's report.json.")]
    public string Baseline { get; init; } = "";

    [CommandArgument(1, "<current>")]
    [Description("The run to judge's report.json.")]
    public string Current { get; init; } = "";

    [CommandOption("--max-p95-drift <PERCENT>")]
    [Description("Largest tolerated growth of time-to-visible p95, in percent (default 50).")]
    public double MaxP95Drift { get; init; } = 50;

    [CommandOption("--min-drift-us <US>")]
    [Description("Growth below this many microseconds is noise (default 500).")]
    public double MinDriftMicroseconds { get; init; } = 500;

    public override ValidationResult Validate() =>
        MaxP95Drift < 0 || MinDriftMicroseconds < 0 ? ValidationResult.Error("--max-p95-drift and --min-drift-us take non-negative numbers") : ValidationResult.Success();
}
