namespace ReplicationHarness.Scenarios;

/// <summary>One standby of a topology: its name, where it streams from, its slot there and its settings.</summary>
/// <param name="Name">The name steps and <c>synchronous_standby_names</c> use, e.g. <c>s1</c>.</param>
/// <param name="Upstream"><see cref="TopologySpec.PrimaryName"/> or another standby's name (cascading replication).</param>
/// <param name="SlotName">Its physical replication slot on the upstream; unique in the topology.</param>
/// <param name="Node">Server settings for this standby.</param>
internal sealed record StandbySpec(string Name, string Upstream, string SlotName, NodeSpec Node)
{
    /// <summary>The <c>application_name</c> the <c>pair:</c> shorthand's standby has always connected with.</summary>
    public const string PairApplicationName = "harness_standby";

    /// <summary>
    /// The <c>application_name</c> it connects to its upstream with, as <c>pg_stat_replication</c> and
    /// <c>synchronous_standby_names</c> know it: its name in a topology, <see cref="PairApplicationName"/> for <c>pair:</c>.
    /// </summary>
    public string ApplicationName { get; init; } = Name;

    /// <summary>The slot a standby gets when the scenario names none: <c>harness_</c> and its name.</summary>
    public static string DefaultSlotName(string name) => "harness_" + name;

    /// <summary>True when it streams from the primary rather than from another standby.</summary>
    public bool StreamsFromPrimary => Upstream == TopologySpec.PrimaryName;
}
