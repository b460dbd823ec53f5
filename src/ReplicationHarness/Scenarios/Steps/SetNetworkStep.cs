using ReplicationHarness.Network;

namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Sets what the link between standby and primary does to traffic: latency, jitter, a bandwidth cap. No arguments restore a clean link.</summary>
/// <param name="Conditions">The conditions from now on.</param>
internal sealed record SetNetworkStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, LinkConditions Conditions)
    : LinkStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "set_network";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
