using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;

// The root namespace on purpose: every namespace of the harness and its tests encloses it, so each call made
// with a pair before topologies existed still compiles, and behaves as before, without a new using.
namespace ReplicationHarness;

/// <summary>The pair shorthand for <see cref="IClusterProvisioner.ProvisionAsync"/>: a pair is a topology of one standby.</summary>
internal static class ClusterProvisionerExtensions
{
    /// <summary>Provisions <paramref name="pair"/> as <see cref="TopologySpec.FromPair"/>: the same directories, slot, names and settings as always.</summary>
    /// <param name="provisioner">The provisioner.</param>
    /// <param name="pair">The scenario's pair: slot, replication mode, settings.</param>
    /// <param name="progress">Receives a line per phase, and base backup progress.</param>
    /// <param name="cancellationToken">Stops provisioning; whatever was started is stopped and removed.</param>
    public static Task<ProvisionedPair> ProvisionAsync(this IClusterProvisioner provisioner, PairSpec pair, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default) =>
        provisioner.ProvisionAsync(TopologySpec.FromPair(pair), progress, cancellationToken);
}
