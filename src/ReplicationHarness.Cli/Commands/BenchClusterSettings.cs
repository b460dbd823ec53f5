using System.ComponentModel;
using ReplicationHarness.Units;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench cluster</c>.</summary>
internal sealed class BenchClusterSettings : CommandSettings
{
    [CommandOption("--scenarios <N>")]
    [Description("Simulated scenarios (default 200).")]
    public int Scenarios { get; init; } = 200;

    [CommandOption("--workers <N>")]
    [Description("Simulated workers, one slot each (default 20).")]
    public int Workers { get; init; } = 20;

    [CommandOption("--duration <DURATION>")]
    [Description("How long each simulated scenario takes (default 1s: the shortest shipped scenarios take about that, their pair included).")]
    public string Duration { get; init; } = "1s";

    [CommandOption("--real <DIR>")]
    [Description("Also time the seed scenarios of this directory (e.g. scenarios) as plain run processes against run --cluster with one worker process.")]
    public string? Real { get; init; }

    [CommandOption("--rounds <N>")]
    [Description("With --real: rounds of each (alternating); the medians are compared. Default 3.")]
    public int Rounds { get; init; } = 3;

    [CommandOption("--work-dir <DIR>")]
    [Description("With --real: the runs' and the worker's work directory (default: HARNESS_WORK_DIR or the temp directory).")]
    public string? WorkDir { get; init; }

    /// <summary>The parsed <see cref="Duration"/>.</summary>
    public TimeSpan ScenarioDuration => DurationText.TryParse(Duration, out var d) ? d : TimeSpan.Zero;

    public override ValidationResult Validate() =>
        Scenarios is < 1 or > 100_000 ? ValidationResult.Error("--scenarios takes 1 to 100000")
        : Workers is < 1 or > 200 ? ValidationResult.Error("--workers takes 1 to 200")
        : ScenarioDuration <= TimeSpan.Zero ? ValidationResult.Error($"--duration: '{Duration}' is not a positive duration (e.g. 500ms)")
        : Rounds is < 1 or > 20 ? ValidationResult.Error("--rounds takes 1 to 20")
        : Real is not null && !Directory.Exists(Real) ? ValidationResult.Error($"--real: no directory '{Real}'")
        : ValidationResult.Success();
}
