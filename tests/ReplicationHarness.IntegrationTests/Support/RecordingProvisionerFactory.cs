using System.Collections.Concurrent;
using ReplicationHarness.Cli.Commands;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.External;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// The CLI's own provisioners, keeping every pair they hand out, so a test of a real <c>run</c> knows the
/// passwords that run generated (nothing the run prints shows them).
/// </summary>
internal sealed class RecordingProvisionerFactory : ProvisionerFactory
{
    private readonly ConcurrentQueue<ProvisionedPair> _pairs = new();

    /// <summary>The pairs handed out so far, in order (already torn down once the run ended).</summary>
    public IReadOnlyList<ProvisionedPair> Pairs => [.. _pairs];

    public override IClusterProvisioner? Create(string kind, LocalProvisionerOptions local, ExternalPairOptions? external, TimeoutMultiplier multiplier) =>
        base.Create(kind, local, external, multiplier) is { } inner ? new Recorder(inner, _pairs) : null;

    private sealed class Recorder(IClusterProvisioner inner, ConcurrentQueue<ProvisionedPair> pairs) : IClusterProvisioner
    {
        public ProvisionerKind Kind => inner.Kind;

        public async Task<ProvisionedPair> ProvisionAsync(TopologySpec topology, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var provisioned = await inner.ProvisionAsync(topology, progress, cancellationToken);
            pairs.Enqueue(provisioned);
            return provisioned;
        }
    }
}
