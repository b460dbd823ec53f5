namespace ReplicationHarness.Provisioning;

/// <summary>How long one provisioning or teardown phase took, on a monotonic clock.</summary>
/// <param name="Phase">The phase's name (<see cref="ProvisionPhases"/>).</param>
/// <param name="Elapsed">Its duration.</param>
internal sealed record PhaseTiming(string Phase, TimeSpan Elapsed);
