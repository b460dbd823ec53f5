using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Cli.Commands;

/// <summary>One case of <c>bench provision</c>: what the harness provisions, and the bare script that does the same.</summary>
/// <param name="Name">The case's name, as <c>--case</c> takes it.</param>
/// <param name="Topology">What the harness provisions.</param>
/// <param name="Script">The bare script under <c>Benchmarks/</c>; it takes one port per server and prints "ready teardown" in ms.</param>
/// <param name="Snapshot">Whether it starts from a topology snapshot (made by the untimed first run) instead of base backups.</param>
internal sealed record ProvisionBenchCase(string Name, TopologySpec Topology, string Script, bool Snapshot = false)
{
    /// <summary>The seed's pair: a primary and one standby.</summary>
    public static ProvisionBenchCase Pair { get; } = new("pair", TopologySpec.FromPair(PairSpec.Default), "bare-pair.sh");

    /// <summary>A primary, s1 and s2 streaming from it under <c>ANY 1 (s1, s2)</c>, and s3 cascading from s1.</summary>
    public static ProvisionBenchCase Topology3 { get; } = new(
        "topology",
        new TopologySpec(
            ProvisionerKind.Local,
            NodeSpec.Empty,
            [Standby("s1", TopologySpec.PrimaryName), Standby("s2", TopologySpec.PrimaryName), Standby("s3", "s1")],
            new SynchronousStandbys(SyncMethod.Any, 1, ["s1", "s2"])),
        "bare-topology.sh");

    /// <summary>The pair, from its snapshot: held against the bare script (target at most 0.5x).</summary>
    public static ProvisionBenchCase PairSnapshot { get; } = Pair with { Name = "pair-snapshot", Snapshot = true };

    /// <summary>The topology, from its snapshot: held against the pair from its snapshot (target at most 1.5x).</summary>
    public static ProvisionBenchCase Topology3Snapshot { get; } = Topology3 with { Name = "topology-snapshot", Snapshot = true };

    /// <summary>Every case, in the order they run.</summary>
    public static IReadOnlyList<ProvisionBenchCase> All { get; } = [Pair, Topology3, PairSnapshot, Topology3Snapshot];

    /// <summary>How many servers (and so ports) a run makes.</summary>
    public int Servers => Topology.Standbys.Count + 1;

    /// <summary>The name of the "everything streams" row, e.g. <c>pair ready</c>.</summary>
    public string ReadyLabel => $"{Name} ready";

    private static StandbySpec Standby(string name, string upstream) => new(name, upstream, StandbySpec.DefaultSlotName(name), NodeSpec.Empty);
}
