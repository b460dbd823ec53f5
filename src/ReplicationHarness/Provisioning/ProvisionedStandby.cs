using ReplicationHarness.Postgres;

namespace ReplicationHarness.Provisioning;

/// <summary>One standby of a provisioned topology, as the harness reaches and describes it.</summary>
/// <param name="Name">Its name in the topology (<c>standby</c> for a pair), as node operations take it.</param>
/// <param name="Upstream">Where it streams from: <c>primary</c> or another standby's name.</param>
/// <param name="Endpoint">How the harness reaches it (role <see cref="Scenarios.NodeRole.Standby"/>).</param>
/// <param name="SlotName">Its physical slot on the upstream.</param>
/// <param name="ApplicationName">The <c>application_name</c> its upstream's <c>pg_stat_replication</c> shows.</param>
/// <param name="Settings">Settings the harness wrote for it (its defaults, then the scenario's).</param>
internal sealed record ProvisionedStandby(
    string Name,
    string Upstream,
    NodeEndpoint Endpoint,
    string SlotName,
    string ApplicationName,
    IReadOnlyDictionary<string, string> Settings);
