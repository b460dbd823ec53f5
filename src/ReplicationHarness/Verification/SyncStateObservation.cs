using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Verification;

/// <summary>What a standby's upstream said of it, against the <c>sync_state</c> the scenario expects.</summary>
/// <param name="Standby">The standby's name.</param>
/// <param name="Expected">The state it must reach.</param>
/// <param name="Observed">What was seen last: <c>quorum</c>, <c>potential (state catchup)</c>, <c>not connected to s1</c>, or why the upstream could not be read.</param>
/// <param name="Holds">Whether it streams with the expected state.</param>
internal sealed record SyncStateObservation(string Standby, SyncState Expected, string Observed, bool Holds);
