using ReplicationHarness.Network;

namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Cuts the link between standby and primary until a <see cref="HealStep"/>.</summary>
/// <param name="Mode">Drop (connections hang) or reject (connections reset).</param>
internal sealed record PartitionStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, PartitionMode Mode)
    : LinkStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "partition";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
