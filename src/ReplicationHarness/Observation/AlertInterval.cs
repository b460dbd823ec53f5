using ReplicationHarness.Measures;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Observation;

/// <summary>A period during which an alert was raised.</summary>
/// <param name="Kind">Which alert.</param>
/// <param name="FiredAt">When it fired, from the scenario's start.</param>
/// <param name="ClearedAt">When it cleared, or null when it was still raised at the end.</param>
/// <param name="Peak">The worst value seen while raised: a size for the byte alert, seconds for the time and stall alerts.</param>
/// <param name="Standby">The standby whose lag raised it (<c>standby</c> for a pair).</param>
internal sealed record AlertInterval(AlertKind Kind, TimeSpan FiredAt, TimeSpan? ClearedAt, Measure Peak, string Standby = TopologySpec.PairStandbyName);
