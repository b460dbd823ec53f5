using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench provision</c>.</summary>
internal sealed class BenchProvisionSettings : LocalPairSettings
{
    [CommandOption("-n|--pairs <N>")]
    [Description("How many of each case to provision one after another (default 5).")]
    public int Pairs { get; init; } = 5;

    [CommandOption("--case <CASE>")]
    [Description("Which case to run: pair (a primary and one standby), topology (s1 and s2 under ANY 1, s3 cascading from s1), each with base backups, pair-snapshot and topology-snapshot (the same from their snapshots), or all (default).")]
    public string Case { get; init; } = "all";

    [CommandOption("--no-bare")]
    [Description("Skip the bare shell script comparison.")]
    public bool NoBare { get; init; }

    public override ValidationResult Validate() =>
        Pairs is < 1 or > 100 ? ValidationResult.Error("--pairs takes 1 to 100")
        : Case is not ("all" or "pair" or "topology" or "pair-snapshot" or "topology-snapshot") ? ValidationResult.Error($"--case takes pair, topology, pair-snapshot, topology-snapshot or all, not '{Case}'")
        : ValidationResult.Success();
}
