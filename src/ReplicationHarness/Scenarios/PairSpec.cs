namespace ReplicationHarness.Scenarios;

/// <summary>The primary/standby pair a scenario runs against.</summary>
/// <param name="Provisioner">Where the pair comes from.</param>
/// <param name="Replication">Asynchronous or synchronous replication.</param>
/// <param name="SlotName">The physical replication slot the standby streams from.</param>
/// <param name="Primary">Settings for the primary.</param>
/// <param name="Standby">Settings for the standby.</param>
/// <param name="LinkProxy">
/// Whether the standby streams through the harness's TCP proxy, so network faults can be injected; set
/// when the scenario has network steps.
/// </param>
internal sealed record PairSpec(
    ProvisionerKind Provisioner,
    ReplicationMode Replication,
    string SlotName,
    NodeSpec Primary,
    NodeSpec Standby,
    bool LinkProxy = false)
{
    /// <summary>The slot name used when a scenario names none.</summary>
    public const string DefaultSlotName = "harness_standby";

    /// <summary>A local, asynchronous pair with the seed's settings.</summary>
    public static PairSpec Default { get; } =
        new(ProvisionerKind.Local, ReplicationMode.Async, DefaultSlotName, NodeSpec.Empty, NodeSpec.Empty);
}
