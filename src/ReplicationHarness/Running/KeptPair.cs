using ReplicationHarness.Provisioning;

namespace ReplicationHarness.Running;

/// <summary>A pair <c>run --reuse</c> keeps for the next scenario of its shape.</summary>
/// <param name="Pair">The servers.</param>
/// <param name="Baseline">How the pair looked when it was built: every reset is verified against it.</param>
/// <param name="Scenarios">The scenarios that ran on it so far, in order.</param>
/// <param name="ResetTime">How long the reset after the last of them took.</param>
internal sealed record KeptPair(ProvisionedPair Pair, PairState Baseline, IReadOnlyList<string> Scenarios, TimeSpan ResetTime);
