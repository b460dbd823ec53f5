namespace ReplicationHarness.Scenarios;

/// <summary>How messages name a node a scenario names.</summary>
internal static class NodeText
{
    /// <summary>"the primary", "the standby" (the pair's one standby), or a named standby as the topology names it, "s2".</summary>
    public static string The(string node) => node is TopologySpec.PrimaryName or TopologySpec.PairStandbyName ? "the " + node : node;
}
