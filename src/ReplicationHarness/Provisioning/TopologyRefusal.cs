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

    /// <summary>Refuses a topology across hosts (nodes naming workers): only a cluster's coordinator makes one.</summary>
    /// <param name="topology">The scenario's topology.</param>
    /// <param name="who">What was asked to make it, e.g. <c>the local provisioner</c>.</param>
    /// <exception cref="ProvisioningException">A node names a worker.</exception>
    public static void RequireOneMachine(TopologySpec topology, string who)
    {
        if (!topology.IsHosted)
            return;
        throw new ProvisioningException(
            $"{who} makes every node on this machine, but the topology places its nodes on workers ({string.Join(", ", topology.Hosts.Select(h => $"{h.Node} on {h.Host}"))})",
            "run it with 'run --cluster SEED' and those workers joined, or drop the nodes' 'host:'",
            "'host:' names a cluster worker (worker --name); only a coordinator reaches the workers' node agents");
    }
}
