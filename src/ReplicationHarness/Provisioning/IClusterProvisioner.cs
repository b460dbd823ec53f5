using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>Makes a streaming primary/standby pair ready for a scenario, and hands back a handle that tears it down.</summary>
public interface IClusterProvisioner
{
    /// <summary>The provisioner's kind, as a scenario names it.</summary>
    ProvisionerKind Kind { get; }

    /// <summary>
    /// Provisions a pair as the scenario asks; returns only once the standby streams from the primary.
    /// On failure or cancellation nothing is left running.
    /// </summary>
    /// <param name="pair">The scenario's pair: slot, replication mode, settings.</param>
    /// <param name="progress">Receives a line per phase, and base backup progress.</param>
    /// <param name="cancellationToken">Stops provisioning; whatever was started is stopped and removed.</param>
    Task<ProvisionedPair> ProvisionAsync(PairSpec pair, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default);
}
