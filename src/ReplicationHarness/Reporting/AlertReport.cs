using ReplicationHarness.Measures;

namespace ReplicationHarness.Reporting;

/// <summary>One alert interval in <c>report.json</c>; <see cref="ClearedAtMs"/> is null when it never cleared.</summary>
/// <param name="Kind">Which alert.</param>
/// <param name="FiredAtMs">When it fired, from the scenario's start.</param>
/// <param name="ClearedAtMs">When it cleared.</param>
/// <param name="Peak">Its worst value, written as text (<c>1.995s</c>, <c>14MB</c>).</param>
/// <param name="Standby">The standby whose lag raised it (<c>standby</c> for a pair).</param>
internal sealed record AlertReport(string Kind, double FiredAtMs, double? ClearedAtMs, Measure Peak, string Standby = Scenarios.TopologySpec.PairStandbyName);
