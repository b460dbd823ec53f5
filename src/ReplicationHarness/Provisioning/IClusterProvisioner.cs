using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Makes a primary and its streaming standbys ready for a scenario, and hands back a handle that tears them down.
/// A <see cref="PairSpec"/> is provisioned as its one-standby topology (<see cref="ClusterProvisionerExtensions"/>).
/// </summary>
internal interface IClusterProvisioner
{
    /// <summary>The provisioner's kind, as a scenario names it.</summary>
    ProvisionerKind Kind { get; }

    /// <summary>
    /// Provisions the servers as the scenario asks; returns only once every standby streams from its upstream.
    /// On failure or cancellation nothing is left running. A provisioner that cannot make the topology (several
    /// standbys where it makes one) refuses with a <see cref="ProvisioningException"/> before starting anything.
    /// </summary>
    /// <param name="topology">The scenario's servers: standbys, slots, synchronous rule, settings.</param>
    /// <param name="progress">Receives a line per phase, and base backup progress.</param>
    /// <param name="cancellationToken">Stops provisioning; whatever was started is stopped and removed.</param>
    Task<ProvisionedPair> ProvisionAsync(TopologySpec topology, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default);
}
