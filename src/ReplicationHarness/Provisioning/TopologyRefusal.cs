using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Guards a provisioner runs before it starts anything, for topologies it cannot make yet: several standbys
/// where it makes one. The error says what, how to fix it, and why this provisioner cannot.
/// </summary>
internal static class TopologyRefusal
{
    /// <summary>Refuses a topology of more than one standby.</summary>
    /// <param name="topology">The scenario's topology.</param>
    /// <param name="who">What cannot make it, e.g. <c>the testcontainers provisioner</c>.</param>
    /// <param name="fix">How to run it anyway.</param>
    /// <param name="why">The evidence: why this one makes a single standby.</param>
    /// <exception cref="ProvisioningException">The topology has several standbys.</exception>
    public static void RequireOneStandby(TopologySpec topology, string who, string fix, string why)
    {
        if (topology.Standbys.Count <= 1)
            return;
        throw new ProvisioningException(
            $"{who} makes one standby, but the topology has {topology.Standbys.Count} ({string.Join(", ", topology.Standbys.Select(s => s.Name))})",
            fix,
            why);
    }
}
